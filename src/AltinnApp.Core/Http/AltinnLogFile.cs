using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;

namespace AltinnApp.Core.Http
{
    /// <summary>
    /// A log file for unattended runs (Connect-Altinn -LogPath): one tab-separated line per message, with the UTC time
    /// (ISO 8601), the level, the journal key and the instance id where known, and the message, redacted.
    /// </summary>
    /// <remarks>
    /// Runspaces of one process that log to the same file share one writer, which appends whole lines under its lock,
    /// so lines from parallel runs never interleave. Each line is flushed as it is written: a run that is killed keeps
    /// everything it logged up to then.
    /// </remarks>
    public sealed class AltinnLogFile : IDisposable
    {
        public const string Operation = "Connect";

        private static readonly Dictionary<string, Writer> Writers = new Dictionary<string, Writer>(PathComparer);
        private readonly Writer _writer;
        private readonly IAltinnClock _clock;
        private bool _disposed;

        private AltinnLogFile(Writer writer, IAltinnClock clock)
        {
            _writer = writer;
            _clock = clock ?? SystemClock.Instance;
        }

        /// <summary>The file's full path.</summary>
        public string Path => _writer.Path;

        // Windows and macOS file names ignore case; Linux's do not
        private static StringComparer PathComparer =>
            System.Runtime.InteropServices.RuntimeInformation.IsOSPlatform(System.Runtime.InteropServices.OSPlatform.Linux) ? StringComparer.Ordinal : StringComparer.OrdinalIgnoreCase;

        /// <summary>Opens (or creates) the file for appending. Its folder must exist: a nightly job should not invent folders.</summary>
        public static AltinnLogFile Open(string fullPath, IAltinnClock clock = null)
        {
            if (string.IsNullOrWhiteSpace(fullPath))
            {
                throw new AltinnArgumentException(ErrorCatalogue.Id(Operation, ErrorReason.EmptyPath), "-LogPath is empty. Give the path of the log file, such as C:\\Logs\\altinn-nightly.log.");
            }

            if (Directory.Exists(fullPath))
            {
                throw new AltinnArgumentException(ErrorCatalogue.Id(Operation, ErrorReason.PathIsFolder),
                    $"-LogPath '{fullPath}' is a folder. Give a file in it, such as '{System.IO.Path.Combine(fullPath, "altinn.log")}'.");
            }

            var folder = System.IO.Path.GetDirectoryName(fullPath);
            if (!string.IsNullOrEmpty(folder) && !Directory.Exists(folder))
            {
                throw new AltinnArgumentException(ErrorCatalogue.Id(Operation, ErrorReason.FolderMissing),
                    $"The folder of -LogPath '{fullPath}' does not exist. Create it first (New-Item -ItemType Directory -Path '{folder}'), or give a file in an existing folder.");
            }

            lock (Writers)
            {
                if (!Writers.TryGetValue(fullPath, out var writer))
                {
                    writer = Writer.Open(fullPath);
                    Writers.Add(fullPath, writer);
                }

                writer.Users++;
                return new AltinnLogFile(writer, clock);
            }
        }

        /// <summary>One line: time, level, journal key, instance id (a dash when unknown), message. Never throws.</summary>
        public void Write(string level, string message, string journalKey = null, string instanceId = null)
        {
            if (_disposed) return;
            var line = new StringBuilder(160)
                .Append(_clock.UtcNow.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)).Append('\t')
                .Append(level).Append('\t')
                .Append(Field(journalKey)).Append('\t')
                .Append(Field(instanceId)).Append('\t')
                .Append(OneLine(Redactor.Redact(message ?? string.Empty)))
                .ToString();
            _writer.Append(line);
        }

        public void Dispose()
        {
            lock (Writers)
            {
                if (_disposed) return;
                _disposed = true;
                if (--_writer.Users > 0) return;
                Writers.Remove(_writer.Path);
                _writer.Close();
            }
        }

        private static string Field(string value) => string.IsNullOrEmpty(value) ? "-" : OneLine(Redactor.Redact(value));

        // a field list or a stack of reasons spans lines; in the file each message is one line, so tools can split on tabs and newlines
        internal static string OneLine(string text)
        {
            var parts = text.Replace("\r\n", "\n").Replace('\r', '\n').Split('\n');
            var joined = new StringBuilder(text.Length);
            foreach (var part in parts)
            {
                var trimmed = part.Trim();
                if (trimmed.Length == 0) continue;
                if (joined.Length > 0) joined.Append(" | ");
                joined.Append(trimmed);
            }

            return joined.Replace('\t', ' ').ToString();
        }

        private sealed class Writer
        {
            private readonly FileStream _stream;
            private readonly object _gate = new object();
            private static readonly Encoding Utf8 = new UTF8Encoding(false);

            private Writer(string path, FileStream stream)
            {
                Path = path;
                _stream = stream;
            }

            public string Path { get; }

            public int Users { get; set; }

            public static Writer Open(string path)
            {
                try
                {
                    // a new log is the owner's alone from its first byte, as the journal is (messages name keys and instances);
                    // a log that exists keeps the permissions it was given
                    if (!File.Exists(path))
                    {
                        try
                        {
                            using (Files.OwnerOnly.CreateNew(path)) { }
                        }
                        catch (Exception) when (File.Exists(path))
                        {
                            // another process created it first
                        }
                    }

                    // others may read the log while it is written (Get-Content -Wait), and rotate it away
                    var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
                    return new Writer(path, stream);
                }
                catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is NotSupportedException || ex is System.Security.SecurityException)
                {
                    throw new AltinnException(ErrorCatalogue.Id(Operation, ErrorReason.CannotWrite), AltinnErrorKind.WriteError,
                        $"The log file '{path}' cannot be opened for writing: {ex.Message} Check that the account running the job may write there.", ex);
                }
            }

            public void Append(string line)
            {
                var bytes = Utf8.GetBytes(line + Environment.NewLine);
                lock (_gate)
                {
                    try
                    {
                        // another process may have appended too: write after whatever is there now
                        _stream.Seek(0, SeekOrigin.End);
                        _stream.Write(bytes, 0, bytes.Length);
                        _stream.Flush();
                    }
                    catch (Exception ex) when (ex is IOException || ex is ObjectDisposedException || ex is UnauthorizedAccessException)
                    {
                        // a full disk must not fail the submission it was logging
                    }
                }
            }

            public void Close()
            {
                lock (_gate) _stream.Dispose();
            }
        }
    }
}
