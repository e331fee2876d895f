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
            // a record names only what it has: shorter lines, read back faster (absent and null read the same)
            DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
        };

        private readonly object _gate = new object();
        // the lock file's bytes: one per party (0 to 0xFFFFF) for creations, then one for appends and one for the secret
        private const long AppendByte = 0x100000;
        private const long SecretByte = 0x100001;

        private readonly NamedGates _keyGates = new NamedGates();
        private readonly ByteLocks _keyFile;
        private readonly ByteLocks _lockFile;
        private readonly CreationGates _creations;
        private readonly Dictionary<string, JournalEntry> _entries = new Dictionary<string, JournalEntry>(StringComparer.Ordinal);

        // what would otherwise be a scan of every entry per step: receipt files by full path, party ids by organisation
        private readonly Dictionary<string, string> _receiptOwners = new Dictionary<string, string>(PathComparer);
        private readonly Dictionary<string, int> _partyOfOrganization = new Dictionary<string, int>(StringComparer.Ordinal);
        private readonly JournalStringPool _strings = new JournalStringPool();
        private long _readOffset;
        private byte[] _secret;

        private SubmissionJournal(string path)
        {
            Path = path;
            _keyFile = new ByteLocks(KeyLockPathFor(path), path);
            _lockFile = new ByteLocks(LockPathFor(path), path);
            _creations = new CreationGates(_lockFile, party => StableHash(party) & 0xFFFFF);
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
            var stored = StoredKey(key, create: false);
            if (stored == null) return null;
            lock (_gate)
            {
                return _entries.TryGetValue(stored, out var entry) ? entry.Snapshot() : null;
            }
        }

        public IReadOnlyList<JournalEntry> Entries() => Entries(null);

        /// <summary>
        /// The row (a New-AltinnInstance and the steps piped after it) that last began each key in this process. A key in a
        /// batch twice is begun by two rows; once the later one has begun it, the earlier one changes nothing more
        /// (<see cref="IsLatestRow"/>), or the two would file one instance with a mix of their values and both report success.
        /// </summary>
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, JournalContext> _rows =
            new System.Collections.Concurrent.ConcurrentDictionary<string, JournalContext>(StringComparer.Ordinal);

        /// <summary><paramref name="row"/> has begun its key: a row that began it before is superseded.</summary>
        internal void BeginRow(JournalContext row)
        {
            row.Began = true;
            _rows[row.Key] = row;
        }

        /// <summary>Whether no later row of this process has begun <paramref name="row"/>'s key.</summary>
        internal bool IsLatestRow(JournalContext row) => !_rows.TryGetValue(row.Key, out var latest) || ReferenceEquals(latest, row);

        /// <summary>A row that began its key and was superseded since by a later row of the same key.</summary>
        internal bool IsSuperseded(JournalContext row) => row.Began && !IsLatestRow(row);

        /// <summary>How many records of <paramref name="storedKey"/> (as <see cref="StoredKey"/> gives it) the file holds now.</summary>
        internal long RecordsOf(string storedKey)
        {
            Refresh();
            lock (_gate)
            {
                return _entries.TryGetValue(storedKey, out var entry) ? entry.Records : 0;
            }
        }

        /// <summary>
        /// The entries <paramref name="where"/> accepts (null: all), oldest first. The test sees the journal's own entry under
        /// its lock, so only those it accepts are copied: a query for the failed keys of a large journal copies those alone.
        /// </summary>
        public IReadOnlyList<JournalEntry> Entries(Func<JournalEntry, bool> where)
        {
            Refresh();
            lock (_gate)
            {
                var chosen = where == null ? _entries.Values : _entries.Values.Where(where);
                return chosen.OrderBy(e => e.Started).Select(e => e.Snapshot()).ToList();
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
        /// The keys of <paramref name="app"/> for <paramref name="partyId"/> whose latest create was begun and never recorded as
        /// made: after a crash, the keys an unrecorded instance of the party may belong to.
        /// </summary>
        public IReadOnlyList<JournalEntry> InterruptedCreations(string app, int partyId)
        {
            Refresh();
            lock (_gate)
            {
                return _entries.Values
                    .Where(e => e.CreatingSince != null && !e.HasInstance && e.PartyId == partyId && string.Equals(e.App, app, StringComparison.OrdinalIgnoreCase))
                    .Select(e => e.Snapshot()).ToList();
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
                return _receiptOwners.TryGetValue(full, out var key) ? key : null;
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
                return _partyOfOrganization.TryGetValue(organizationNumber, out var party) ? party : (int?)null;
            }
        }

        public void Append(JournalRecord record)
        {
            if (string.IsNullOrEmpty(record.Key)) throw new ArgumentException("A journal record needs a key.", nameof(record));
            if (record.At == default) record.At = Clock.UtcNow;
            record.ProcessId = CurrentProcessId;
            var line = JsonSerializer.Serialize(record, Json) + "\n";
            var bytes = Encoding.UTF8.GetBytes(line);
            var durable = MustBeDurable(record);
            FileStream stream = null;
            lock (_gate)
            {
                // FileMode.Append seeks to the end once, at open: with several processes writing, one's record would land
                // on another's. The lock file's append byte is held from the seek to the end until the line is written.
                _lockFile.Take(AppendByte);
                try
                {
                    Files.OwnerOnly.EnsureFile(Path);
                    stream = new FileStream(Path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.None);
                    var end = stream.Seek(0, SeekOrigin.End);
                    if (end > 0)
                    {
                        // a torn line from a killed writer must not swallow this record: start it on a line of its own
                        stream.Seek(-1, SeekOrigin.End);
                        var last = stream.ReadByte();
                        stream.Seek(0, SeekOrigin.End);
                        if (last != '\n') stream.WriteByte((byte)'\n');
                    }

                    stream.Write(bytes, 0, bytes.Length);
                    stream.Flush(false);
                }
                catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
                {
                    stream?.Dispose();
                    throw CannotWrite(ex);
                }
                finally
                {
                    _lockFile.Release(AppendByte);
                }

                ReadNewLines();
            }

            using (stream)
            {
                try
                {
                    // the fsync is outside the locks: the line is in the file already, and an fsync writes every line before
                    // it too, so parallel runspaces and processes wait on their disk writes together instead of one by one
                    if (durable) stream.Flush(true);
                }
                catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
                {
                    throw CannotWrite(ex);
                }
            }
        }

        private AltinnException CannotWrite(Exception ex) =>
            new AltinnException("Altinn.Journal.CannotWrite", AltinnErrorKind.WriteError,
                $"The journal '{Path}' cannot be written: {ex.Message} The step was not recorded; fix the file's location or permissions and run the script again.");

        /// <summary>
        /// Whether a record is flushed to the disk (fsync) before Append returns, rather than left to the operating system.
        /// Every record is written before Append returns, so a killed process loses none; what an fsync adds is surviving a
        /// power cut or a crash of the machine. A record written before a request (Creating, Attaching, Moving, a receipt's
        /// claim) must be on the disk before the request goes: without it a rerun would not know to look for what the
        /// request did. Created and Restarted are flushed too: a lost Created leaves a rerun to find the instance among the
        /// party's (impossible when the party was not known), and a lost Restarted would send a rerun to the deleted
        /// instance. The others (DataSet, Attached, Moved, Submitted, ReceiptSaved, Failed) record an outcome a rerun finds
        /// again on its own (the data is put again, the files are found by name and size, the task is read, the receipt is
        /// saved again), and every later fsync of the file writes them down as well, in order.
        /// </summary>
        private static bool MustBeDurable(JournalRecord record)
        {
            switch (record.State)
            {
                case JournalState.Creating:
                case JournalState.Created:
                case JournalState.Attaching:
                case JournalState.Moving:
                case JournalState.Restarted:
                    return true;
                default:
                    return record.ReceiptClaim != null;
            }
        }

        /// <summary>
        /// Creations for a party (<paramref name="party"/>: its id, or another stable name of the owner) that make
        /// interchangeable instances (<paramref name="content"/>) go ahead together; others for the party wait, in this
        /// process and across processes sharing the file (<see cref="CreationGates"/>). A reconciliation after a crash is
        /// <paramref name="exclusive"/>: no creation of the party is in flight while it looks for unrecorded instances.
        /// </summary>
        public Task<IDisposable> LockCreationAsync(string party, string content, bool exclusive, CancellationToken cancellationToken) =>
            _creations.Enter(party, content, exclusive, cancellationToken);

        /// <summary>
        /// The steps of one key are taken one at a time: in this process (runspaces, ForEach-Object -Parallel) and across
        /// processes sharing the journal, so two runs that carry the same key at once never both create its instance, upload
        /// its files or move its process. The holder reads the key's entry again once it has the lock, and finds what the
        /// other run did. Other keys are not held up: across processes each key locks one byte of a lock file beside the
        /// journal. The gate of a key is dropped when no one holds or waits for it, so a long run holds none for keys done.
        /// </summary>
        public async Task<IDisposable> LockKeyAsync(string key, CancellationToken cancellationToken)
        {
            var gate = await _keyGates.EnterAsync(key, cancellationToken).ConfigureAwait(false);
            var offset = (long)(StableHash(key) & 0xFFFFF);
            try
            {
                await _keyFile.TakeAsync(offset, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                gate.Dispose();
                throw;
            }

            return new Releaser(() =>
            {
                _keyFile.Release(offset);
                gate.Dispose();
            });
        }

        /// <summary>How many key gates and party gates are held or waited for now (they are dropped when free).</summary>
        internal int GatesInUse => _keyGates.Count + _creations.Count;

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

        /// <summary>The file whose bytes serialise appends and each party's creations for the journal at <paramref name="journalPath"/>: <c>.&lt;journal&gt;.lock</c> beside it.</summary>
        public static string LockPathFor(string journalPath) =>
            System.IO.Path.Combine(System.IO.Path.GetDirectoryName(journalPath) ?? string.Empty, "." + System.IO.Path.GetFileName(journalPath) + ".lock");

        /// <summary>The file whose bytes lock the journal's keys: <c>.&lt;journal&gt;.keys.lock</c> beside it.</summary>
        public static string KeyLockPathFor(string journalPath) =>
            System.IO.Path.Combine(System.IO.Path.GetDirectoryName(journalPath) ?? string.Empty, "." + System.IO.Path.GetFileName(journalPath) + ".keys.lock");

        /// <summary>Whether a file name is one of a journal's side files (its lock files, its secret) rather than a journal.</summary>
        public static bool IsLockFile(string fileName) =>
            fileName != null && (fileName.EndsWith(".lock", StringComparison.OrdinalIgnoreCase) || fileName.EndsWith(".secret", StringComparison.OrdinalIgnoreCase));

        // once: a Process object per record was an allocation and a handle per append
        private static readonly int CurrentProcessId = ProcessIdNow();

        private static int ProcessIdNow()
        {
            using (var process = System.Diagnostics.Process.GetCurrentProcess()) return process.Id;
        }

        private void Refresh()
        {
            lock (_gate)
            {
                ReadNewLines();
            }
        }

        // reads what was appended since the last read (by this or another process), a piece at a time so a large journal
        // never sits in memory as text; a last line without its newline is left for later
        [System.Runtime.CompilerServices.MethodImpl(JournalRecordReader.Optimized)]
        private void ReadNewLines()
        {
            if (!File.Exists(Path)) return;
            FileStream stream;
            try
            {
                stream = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.SequentialScan);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                throw new AltinnException("Altinn.Journal.CannotRead", AltinnErrorKind.ReadError, $"The journal '{Path}' cannot be read: {ex.Message}");
            }

            using (stream)
            {
                var length = stream.Length;
                if (length < _readOffset)
                {
                    // the file was replaced or truncated: read it again from the start
                    _entries.Clear();
                    _strings.Clear();
                    _receiptOwners.Clear();
                    _partyOfOrganization.Clear();
                    _readOffset = 0;
                }

                if (length == _readOffset) return;
                stream.Seek(_readOffset, SeekOrigin.Begin);
                var buffer = new byte[(int)Math.Min(Math.Max(length - _readOffset, 1), 1 << 20)];
                var filled = 0;
                var position = _readOffset;
                while (position + filled < length)
                {
                    var n = stream.Read(buffer, filled, (int)Math.Min(buffer.Length - filled, length - position - filled));
                    if (n == 0) break;
                    filled += n;
                    var lineStart = 0;
                    while (lineStart < filled)
                    {
                        // IndexOf is vectorised where a byte-by-byte loop was not
                        var end = new ReadOnlySpan<byte>(buffer, lineStart, filled - lineStart).IndexOf((byte)'\n');
                        if (end < 0) break;
                        if (end > 0) ApplyLine(new ReadOnlySpan<byte>(buffer, lineStart, end));
                        lineStart += end + 1;
                    }

                    position += lineStart;
                    _readOffset = position;
                    filled -= lineStart;
                    if (filled > 0) Buffer.BlockCopy(buffer, lineStart, buffer, 0, filled);
                    if (filled == buffer.Length) Array.Resize(ref buffer, buffer.Length * 2); // one line longer than the buffer
                }
            }
        }

        [System.Runtime.CompilerServices.MethodImpl(JournalRecordReader.Optimized)]
        private void ApplyLine(ReadOnlySpan<byte> line)
        {
            // null for a line torn by a kill mid-write: the step it recorded is redone
            var record = JournalRecordReader.Read(line, Json, _strings);
            if (record?.Key == null) return;
            if (!_entries.TryGetValue(record.Key, out var entry))
            {
                entry = new JournalEntry();
                _entries[record.Key] = entry;
            }

            entry.Apply(record);
            if (record.ReceiptPath != null) OwnReceipt(record.ReceiptPath, record.Key);
            if (record.ReceiptClaim != null) OwnReceipt(record.ReceiptClaim, record.Key);

            if (entry.OrganizationNumber != null && entry.PartyId != null && !_partyOfOrganization.ContainsKey(entry.OrganizationNumber))
            {
                _partyOfOrganization[entry.OrganizationNumber] = entry.PartyId.Value;
            }
        }

        [System.Runtime.CompilerServices.MethodImpl(JournalRecordReader.Optimized)]
        private void OwnReceipt(string receipt, string key)
        {
            // the paths recorded are full already: the common case needs no second string
            if (_receiptOwners.ContainsKey(receipt)) return;
            var full = System.IO.Path.GetFullPath(receipt);
            if (!_receiptOwners.ContainsKey(full)) _receiptOwners[full] = key;
        }

        /// <summary>
        /// The key as the journal holds it and the log shows it. The journal holds no personal data, so a person number in a
        /// key (eleven digits with valid control digits) is stored as its birth date part, masked, and a keyed hash of it
        /// (HMAC-SHA256 with a random secret kept beside the journal, owner-only, in <c>.&lt;journal&gt;.secret</c>): the same
        /// number always gives the same stored key, so the rerun and <c>Get-AltinnJournal -Key</c> find it, while the journal
        /// alone does not tell the number (the birth date part and a hash without the secret cannot be turned back).
        /// Null when <paramref name="create"/> is false and there is no secret yet: no such key can be in the journal.
        /// </summary>
        public string StoredKey(string key, bool create = true)
        {
            if (key == null || !JournalKeys.HasPersonNumber(key)) return key;
            var secret = Secret(create);
            return secret == null ? null : JournalKeys.Pseudonymise(key, secret);
        }

        private byte[] Secret(bool create)
        {
            if (_secret != null) return _secret;
            var path = SecretPathFor(Path);
            lock (_gate)
            {
                if (_secret != null) return _secret;
                if (!create && !File.Exists(path)) return null;
                _lockFile.Take(SecretByte);
                try
                {
                    if (File.Exists(path) && new FileInfo(path).Length > 0)
                    {
                        _secret = JournalKeys.ParseSecret(File.ReadAllText(path), path);
                        return _secret;
                    }

                    if (!create) return null;
                    ReadNewLines();
                    if (_entries.Keys.Any(JournalKeys.IsPseudonymised))
                    {
                        // a new secret would give these numbers other stored keys, and a rerun would file them again
                        throw new AltinnException(ErrorCatalogue.Id("Journal", ErrorReason.FileNotFound), AltinnErrorKind.ObjectNotFound,
                            $"The journal '{Path}' holds keys with person numbers, but the secret they were stored with, '{path}', is missing. " +
                            "Nothing was written. Put the file back beside the journal (it belongs with the journal wherever it is copied), or use a new journal.");
                    }

                    var secret = JournalKeys.NewSecret();
                    Files.OwnerOnly.EnsureFile(path);
                    using (var stream = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.Read, 1, FileOptions.None))
                    {
                        var bytes = Encoding.ASCII.GetBytes(JournalKeys.FormatSecret(secret));
                        stream.Write(bytes, 0, bytes.Length);
                        stream.Flush(true);
                    }

                    _secret = secret;
                    return _secret;
                }
                catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
                {
                    throw new AltinnException(ErrorCatalogue.Id("Journal", ErrorReason.CannotWrite), AltinnErrorKind.WriteError,
                        $"The secret beside the journal '{Path}' ('{path}') cannot be read or written: {ex.Message} Check the folder's permissions.");
                }
                finally
                {
                    _lockFile.Release(SecretByte);
                }
            }
        }

        /// <summary>The secret that keys the hashes of person numbers in the journal's keys: <c>.&lt;journal&gt;.secret</c> beside it.</summary>
        public static string SecretPathFor(string journalPath) =>
            System.IO.Path.Combine(System.IO.Path.GetDirectoryName(journalPath) ?? string.Empty, "." + System.IO.Path.GetFileName(journalPath) + ".secret");

        /// <summary>For tests: forget the shared objects so a file is read afresh (as a new process would), and close their lock files.</summary>
        internal static void ForgetAll()
        {
            foreach (var journal in Open_.Values)
            {
                journal._keyFile.Dispose();
                journal._lockFile.Dispose();
            }

            Open_.Clear();
        }

        public override string ToString() => Path;
    }
}
