using System;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Threading.Tasks;

namespace AltinnApp.Core.Http
{
    /// <summary>Streams a file in 80 KiB chunks and reports bytes sent; never holds the file in memory.</summary>
    internal sealed class ProgressStreamContent : HttpContent
    {
        private const int BufferSize = 81920;
        private readonly Stream _source;
        private readonly IProgress<long> _progress;

        public ProgressStreamContent(Stream source, IProgress<long> progress)
        {
            _source = source;
            _progress = progress;
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext context)
        {
            var buffer = new byte[BufferSize];
            long sent = 0;
            int read;
            while ((read = await _source.ReadAsync(buffer, 0, buffer.Length).ConfigureAwait(false)) > 0)
            {
                await stream.WriteAsync(buffer, 0, read).ConfigureAwait(false);
                sent += read;
                _progress?.Report(sent);
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            if (_source.CanSeek)
            {
                length = _source.Length;
                return true;
            }

            length = -1;
            return false;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) _source.Dispose();
            base.Dispose(disposing);
        }
    }
}
