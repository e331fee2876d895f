using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace AltinnApp.Core.Files
{
    /// <summary>
    /// A write-only stream that refuses to take more than a given number of bytes: a server that sends more than
    /// it said the file holds cannot fill the disk. The download's temporary file is then removed whole.
    /// </summary>
    public sealed class LimitedStream : Stream
    {
        private readonly Stream _inner;
        private readonly long _limit;
        private readonly Func<long, Exception> _tooMuch;
        private long _written;

        /// <param name="tooMuch">The error to throw, given the limit.</param>
        public LimitedStream(Stream inner, long limit, Func<long, Exception> tooMuch)
        {
            _inner = inner ?? throw new ArgumentNullException(nameof(inner));
            _limit = limit;
            _tooMuch = tooMuch ?? throw new ArgumentNullException(nameof(tooMuch));
        }

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _written;

        public override long Position
        {
            get => _written;
            set => throw new NotSupportedException();
        }

        public override void Write(byte[] buffer, int offset, int count)
        {
            Take(count);
            _inner.Write(buffer, offset, count);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            Take(count);
            return _inner.WriteAsync(buffer, offset, count, cancellationToken);
        }

        public override void Flush() => _inner.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        private void Take(int count)
        {
            if (_written + count > _limit) throw _tooMuch(_limit);
            _written += count;
        }
    }
}
