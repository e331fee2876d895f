using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace AltinnApp.Core.Journal
{
    /// <summary>
    /// An append-only file of JSON lines recording each key's progress, so a rerun after a crash carries
    /// every key to the end exactly once. Each record is one write of a whole line, flushed to disk before
    /// the step it records is treated as done; a line cut short by a kill is ignored when read back.
    /// One object per file in a process (shared by all runspaces); other processes appending to the same
    /// file are read back before each decision.
    /// </summary>
    public sealed class SubmissionJournal
    {
        private static readonly ConcurrentDictionary<string, SubmissionJournal> Open_ = new ConcurrentDictionary<string, SubmissionJournal>(
            Environment.OSVersion.Platform == PlatformID.Win32NT ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);

        private static readonly JsonSerializerOptions Json = new JsonSerializerOptions
        {
            Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
        };

        private readonly object _gate = new object();
        private readonly SemaphoreSlim _createGate = new SemaphoreSlim(1, 1);
        private readonly ConcurrentDictionary<string, SemaphoreSlim> _keyGates = new ConcurrentDictionary<string, SemaphoreSlim>(StringComparer.Ordinal);
        private readonly object _keyFileGate = new object();
        private FileStream _keyLockFile;
        private readonly Dictionary<string, JournalEntry> _entries = new Dictionary<string, JournalEntry>(StringComparer.Ordinal);
        private long _readOffset;

        private SubmissionJournal(string path)
        {
            Path = path;
        }

        public string Path { get; }

        /// <summary>What stamps a record that has no time of its own; the machine's clock unless given another.</summary>
        public IAltinnClock Clock { get; set; } = SystemClock.Instance;

        /// <summary>The journals this process has opened (for tab completion: the apps their keys name).</summary>
        public static IReadOnlyList<SubmissionJournal> OpenJournals => Open_.Values.ToList();

        /// <summary>The journal at <paramref name="path"/> (a full path); created when first written.</summary>
        public static SubmissionJournal Open(string path)
        {
            var folder = System.IO.Path.GetDirectoryName(path);
            if (Directory.Exists(path))
            {
                throw new AltinnArgumentException("Altinn.Journal.PathIsFolder", $"-Journal '{path}' is a folder. Give a file path, for example ./submissions.journal.");
            }

            if (string.IsNullOrEmpty(folder) || !Directory.Exists(folder))
            {
                throw new AltinnArgumentException("Altinn.Journal.FolderMissing", $"The folder of -Journal '{path}' does not exist. Create it first.");
            }

            var journal = Open_.GetOrAdd(path, p => new SubmissionJournal(p));
            journal.Refresh();
            return journal;
        }

        /// <summary>The key's entry, or null when the journal has never seen it.</summary>
        public JournalEntry Get(string key)
        {
            Refresh();
            lock (_gate)
            {
                return _entries.TryGetValue(key, out var entry) ? entry.Snapshot() : null;
            }
        }

        public IReadOnlyList<JournalEntry> Entries()
        {
            Refresh();
            lock (_gate)
            {
                return _entries.Values.OrderBy(e => e.Started).Select(e => e.Snapshot()).ToList();
            }
        }

        /// <summary>Every instance id any key has recorded: instances that belong to a key.</summary>
        public ISet<string> ClaimedInstanceIds()
        {
            Refresh();
            lock (_gate)
            {
                return new HashSet<string>(_entries.Values.Where(e => e.InstanceId != null).Select(e => e.InstanceId), StringComparer.OrdinalIgnoreCase);
            }
        }

        /// <summary>
        /// The key that has claimed or saved a receipt at <paramref name="path"/>, or null when no key has: a receipt file
        /// belongs to one key, so a second key never writes over it, with or without -Force.
        /// </summary>
        public string KeyOfReceipt(string path)
        {
            if (string.IsNullOrEmpty(path)) return null;
            var full = System.IO.Path.GetFullPath(path);
            Refresh();
            lock (_gate)
            {
                return _entries.Values.FirstOrDefault(e => e.ReceiptFiles.Any(f => PathComparer.Equals(System.IO.Path.GetFullPath(f), full)))?.Key;
            }
        }

        private static StringComparer PathComparer => Environment.OSVersion.Platform == PlatformID.Win32NT ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;

        /// <summary>The party id of an organisation, from any key that recorded both.</summary>
        public int? PartyOfOrganization(string organizationNumber)
        {
            if (organizationNumber == null) return null;
            Refresh();
            lock (_gate)
            {
                return _entries.Values.FirstOrDefault(e => e.OrganizationNumber == organizationNumber && e.PartyId != null)?.PartyId;
            }
        }

        public void Append(JournalRecord record)
        {
            if (string.IsNullOrEmpty(record.Key)) throw new ArgumentException("A journal record needs a key.", nameof(record));
            if (record.At == default) record.At = Clock.UtcNow;
            record.ProcessId = CurrentProcessId;
            var line = JsonSerializer.Serialize(record, Json) + "\n";
            var bytes = Encoding.UTF8.GetBytes(line);
            lock (_gate)
            {
                try
                {
                    using (var stream = new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, 4096, FileOptions.WriteThrough))
                    {
                        // a torn line from a killed writer must not swallow this record: start it on a line of its own
                        if (stream.Length > 0 && !EndsWithNewline()) stream.WriteByte((byte)'\n');
                        stream.Write(bytes, 0, bytes.Length);
                        stream.Flush(true);
                    }
                }
                catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
                {
                    throw new AltinnException("Altinn.Journal.CannotWrite", AltinnErrorKind.WriteError,
                        $"The journal '{Path}' cannot be written: {ex.Message} The step was not recorded; fix the file's location or permissions and run the script again.");
                }

                ReadNewLines();
            }
        }

        /// <summary>
        /// Creations for one party are made one at a time per journal, in this process and across processes
        /// sharing the file, so that after a kill at most one creation per party can be unrecorded, and a
        /// rerun can tell which instance it made.
        /// </summary>
        public async Task<IDisposable> LockCreationAsync(CancellationToken cancellationToken)
        {
            await _createGate.WaitAsync(cancellationToken).ConfigureAwait(false);
            FileStream lockFile = null;
            try
            {
                // On Windows the share mode keeps every other opener out while it is held, so the file can go when it
                // is closed. Elsewhere the lock is taken after the open: deleting it would let a waiter that opened
                // the old file and a newcomer that made a new one both hold "the" lock, so it stays, hidden.
                var lockPath = LockPathFor(Path);
                var options = RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? FileOptions.DeleteOnClose : FileOptions.None;
                while (true)
                {
                    try
                    {
                        lockFile = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, options);
                        break;
                    }
                    catch (IOException)
                    {
                        await Task.Delay(50, cancellationToken).ConfigureAwait(false); // another process holds it
                    }
                }

                return new CreationLock(this, lockFile);
            }
            catch
            {
                lockFile?.Dispose();
                _createGate.Release();
                throw;
            }
        }

        /// <summary>
        /// The steps of one key are taken one at a time: in this process (runspaces, ForEach-Object -Parallel) and across
        /// processes sharing the journal, so two runs that carry the same key at once never both upload its files or move
        /// its process. The holder reads the key's entry again once it has the lock, and finds what the other run did.
        /// Other keys are not held up: across processes each key locks one byte of a lock file beside the journal.
        /// </summary>
        public async Task<IDisposable> LockKeyAsync(string key, CancellationToken cancellationToken)
        {
            var gate = _keyGates.GetOrAdd(key, _ => new SemaphoreSlim(1, 1));
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var file = KeyLockFile();
                var offset = (long)(StableHash(key) & 0xFFFFF);
                while (true)
                {
                    try
                    {
                        file.Lock(offset, 1);
                        break;
                    }
                    catch (IOException)
                    {
                        await Task.Delay(50, cancellationToken).ConfigureAwait(false); // another process holds this key
                    }
                }

                return new KeyLock(gate, file, offset);
            }
            catch
            {
                gate.Release();
                throw;
            }
        }

        // one handle for the life of the journal object: on Linux a process's byte-range locks on a file go with any of its
        // handles to that file being closed, so a handle per lock would release the other keys' locks
        private FileStream KeyLockFile()
        {
            lock (_keyFileGate)
            {
                if (_keyLockFile == null)
                {
                    try
                    {
                        _keyLockFile = new FileStream(KeyLockPathFor(Path), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.None);
                    }
                    catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
                    {
                        throw new AltinnException(ErrorCatalogue.Id("Journal", ErrorReason.CannotWrite), AltinnErrorKind.WriteError,
                            $"The lock file beside the journal '{Path}' cannot be opened: {ex.Message} Check the folder's permissions.");
                    }
                }

                return _keyLockFile;
            }
        }

        // the same number for a key in every process (string.GetHashCode differs from process to process): FNV-1a
        private static uint StableHash(string key)
        {
            var hash = 2166136261u;
            foreach (var b in Encoding.UTF8.GetBytes(key))
            {
                hash ^= b;
                hash *= 16777619u;
            }

            return hash;
        }

        private sealed class KeyLock : IDisposable
        {
            private SemaphoreSlim _gate;
            private readonly FileStream _file;
            private readonly long _offset;

            public KeyLock(SemaphoreSlim gate, FileStream file, long offset)
            {
                _gate = gate;
                _file = file;
                _offset = offset;
            }

            public void Dispose()
            {
                var gate = Interlocked.Exchange(ref _gate, null);
                if (gate == null) return;
                try
                {
                    _file.Unlock(_offset, 1);
                }
                catch (IOException)
                {
                    // the handle is gone with the process's end anyway
                }
                finally
                {
                    gate.Release();
                }
            }
        }

        /// <summary>The file that serialises creations for the journal at <paramref name="journalPath"/>: <c>.&lt;journal&gt;.lock</c> beside it.</summary>
        public static string LockPathFor(string journalPath) =>
            System.IO.Path.Combine(System.IO.Path.GetDirectoryName(journalPath) ?? string.Empty, "." + System.IO.Path.GetFileName(journalPath) + ".lock");

        /// <summary>The file whose bytes lock the journal's keys: <c>.&lt;journal&gt;.keys.lock</c> beside it.</summary>
        public static string KeyLockPathFor(string journalPath) =>
            System.IO.Path.Combine(System.IO.Path.GetDirectoryName(journalPath) ?? string.Empty, "." + System.IO.Path.GetFileName(journalPath) + ".keys.lock");

        /// <summary>Whether a file name is a journal's lock file rather than a journal.</summary>
        public static bool IsLockFile(string fileName) =>
            fileName != null && fileName.EndsWith(".lock", StringComparison.OrdinalIgnoreCase);

        private sealed class CreationLock : IDisposable
        {
            private SubmissionJournal _journal;
            private readonly FileStream _file;

            public CreationLock(SubmissionJournal journal, FileStream file)
            {
                _journal = journal;
                _file = file;
            }

            public void Dispose()
            {
                var journal = Interlocked.Exchange(ref _journal, null);
                if (journal == null) return;
                _file.Dispose();
                journal._createGate.Release();
            }
        }

        private static int CurrentProcessId
        {
            get
            {
                using (var process = System.Diagnostics.Process.GetCurrentProcess()) return process.Id;
            }
        }

        private bool EndsWithNewline()
        {
            using (var reader = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
            {
                if (reader.Length == 0) return true;
                reader.Seek(-1, SeekOrigin.End);
                return reader.ReadByte() == '\n';
            }
        }

        private void Refresh()
        {
            lock (_gate)
            {
                ReadNewLines();
            }
        }

        // reads what was appended since the last read (by this or another process); a last line without its newline is left for later
        private void ReadNewLines()
        {
            if (!File.Exists(Path)) return;
            FileStream stream;
            try
            {
                stream = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                throw new AltinnException("Altinn.Journal.CannotRead", AltinnErrorKind.ReadError, $"The journal '{Path}' cannot be read: {ex.Message}");
            }

            using (stream)
            {
                if (stream.Length < _readOffset)
                {
                    // the file was replaced or truncated: read it again from the start
                    _entries.Clear();
                    _readOffset = 0;
                }

                if (stream.Length == _readOffset) return;
                stream.Seek(_readOffset, SeekOrigin.Begin);
                var buffer = new byte[stream.Length - _readOffset];
                var read = 0;
                while (read < buffer.Length)
                {
                    var n = stream.Read(buffer, read, buffer.Length - read);
                    if (n == 0) break;
                    read += n;
                }

                var lastNewline = Array.LastIndexOf(buffer, (byte)'\n', read - 1);
                if (lastNewline < 0) return;
                var text = Encoding.UTF8.GetString(buffer, 0, lastNewline + 1);
                _readOffset += lastNewline + 1;
                foreach (var line in text.Split('\n'))
                {
                    if (line.Length == 0) continue;
                    JournalRecord record;
                    try
                    {
                        record = JsonSerializer.Deserialize<JournalRecord>(line, Json);
                    }
                    catch (JsonException)
                    {
                        continue; // a line torn by a kill mid-write: the step it recorded is redone
                    }

                    if (record?.Key == null) continue;
                    if (!_entries.TryGetValue(record.Key, out var entry))
                    {
                        entry = new JournalEntry();
                        _entries[record.Key] = entry;
                    }

                    entry.Apply(record);
                }
            }
        }

        /// <summary>For tests: forget the shared objects so a file is read afresh.</summary>
        internal static void ForgetAll() => Open_.Clear();

        public override string ToString() => Path;
    }
}
