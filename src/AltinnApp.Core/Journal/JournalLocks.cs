using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace AltinnApp.Core.Journal
{
    /// <summary>
    /// One-byte locks in a lock file beside the journal, held for this process. One handle per file for the life of the
    /// journal object: on Linux a process's byte-range locks on a file go when any of its handles to that file is closed.
    /// A byte already held by this process (two keys whose hashes meet) is counted rather than locked again, so the first
    /// release does not let another process in while the second holder still counts on it; the callers keep their own
    /// in-process exclusion.
    /// </summary>
    internal sealed class ByteLocks : IDisposable
    {
        private readonly string _path;
        private readonly string _journalPath;
        private readonly object _sync = new object();
        private readonly Dictionary<long, int> _held = new Dictionary<long, int>();
        private FileStream _file;

        public ByteLocks(string path, string journalPath)
        {
            _path = path;
            _journalPath = journalPath;
        }

        public bool TryTake(long offset)
        {
            lock (_sync)
            {
                if (_held.TryGetValue(offset, out var count))
                {
                    _held[offset] = count + 1;
                    return true;
                }

                try
                {
                    File().Lock(offset, 1);
                }
                catch (IOException) when (_file != null)
                {
                    return false; // another process holds it
                }

                _held[offset] = 1;
                return true;
            }
        }

        public async Task TakeAsync(long offset, CancellationToken cancellationToken)
        {
            while (!TryTake(offset)) await Task.Delay(20, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>For the short holds around an append: waits without giving up the calling thread.</summary>
        public void Take(long offset)
        {
            var spins = 0;
            while (!TryTake(offset)) Thread.Sleep(spins++ < 10 ? 0 : 1);
        }

        public void Release(long offset)
        {
            lock (_sync)
            {
                if (!_held.TryGetValue(offset, out var count)) return;
                if (count > 1)
                {
                    _held[offset] = count - 1;
                    return;
                }

                _held.Remove(offset);
                try
                {
                    _file.Unlock(offset, 1);
                }
                catch (IOException)
                {
                    // the handle goes with the process's end anyway
                }
            }
        }

        public void Dispose()
        {
            lock (_sync)
            {
                _file?.Dispose();
                _file = null;
                _held.Clear();
            }
        }

        private FileStream File()
        {
            if (_file != null) return _file;
            try
            {
                Files.OwnerOnly.EnsureFile(_path);
                _file = new FileStream(_path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.None);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                throw new AltinnException(ErrorCatalogue.Id("Journal", ErrorReason.CannotWrite), AltinnErrorKind.WriteError,
                    $"The lock file beside the journal '{_journalPath}' cannot be opened: {ex.Message} Check the folder's permissions.");
            }

            return _file;
        }
    }

    /// <summary>
    /// One semaphore per name, made when first asked for and dropped when its last user leaves, so a run over many keys
    /// holds gates only for the keys in flight.
    /// </summary>
    internal sealed class NamedGates
    {
        private readonly Dictionary<string, Gate> _gates = new Dictionary<string, Gate>(StringComparer.Ordinal);

        public int Count
        {
            get
            {
                lock (_gates) return _gates.Count;
            }
        }

        public async Task<IDisposable> EnterAsync(string name, CancellationToken cancellationToken)
        {
            Gate gate;
            lock (_gates)
            {
                if (!_gates.TryGetValue(name, out gate))
                {
                    gate = new Gate();
                    _gates[name] = gate;
                }

                gate.Users++;
            }

            try
            {
                await gate.Semaphore.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                Leave(name, gate, entered: false);
                throw;
            }

            return new Releaser(() => Leave(name, gate, entered: true));
        }

        private void Leave(string name, Gate gate, bool entered)
        {
            lock (_gates)
            {
                if (entered) gate.Semaphore.Release();
                if (--gate.Users == 0) _gates.Remove(name);
            }
        }

        private sealed class Gate
        {
            public readonly SemaphoreSlim Semaphore = new SemaphoreSlim(1, 1);
            public int Users;
        }
    }

    /// <summary>
    /// The creations of one party (instance owner). Creations that would make interchangeable instances (the same app,
    /// owner and content: <see cref="CreationGates.Enter"/>'s content) go ahead together; a creation with other content
    /// waits until those are done, and a reconciliation after a crash (exclusive) waits for every creation of the party
    /// and keeps new ones out. So after a kill, the instances of a party that no key recorded were all made by creations
    /// of one content, and any of them may stand for any of those keys. Across processes one process at a time creates
    /// for a party: it holds the party's byte in the lock file while any creation of its own for that party is under way.
    /// </summary>
    internal sealed class CreationGates
    {
        private readonly object _sync = new object();
        private readonly Dictionary<string, Party> _parties = new Dictionary<string, Party>(StringComparer.Ordinal);
        private readonly ByteLocks _file;
        private readonly Func<string, long> _offsetOf;

        public CreationGates(ByteLocks file, Func<string, long> offsetOf)
        {
            _file = file;
            _offsetOf = offsetOf;
        }

        public int Count
        {
            get
            {
                lock (_sync) return _parties.Count;
            }
        }

        /// <param name="party">The party id, or another stable name of the owner when it is not known.</param>
        /// <param name="content">What the instance is made from; null when it cannot be compared (each such creation goes alone).</param>
        /// <param name="exclusive">Alone for the party: no creation in flight, none begun while it is held.</param>
        public async Task<IDisposable> Enter(string party, string content, bool exclusive, CancellationToken cancellationToken)
        {
            if (content == null) exclusive = true;
            while (true)
            {
                Party p;
                Waiter waiter = null;
                var first = false;
                lock (_sync)
                {
                    if (!_parties.TryGetValue(party, out p))
                    {
                        p = new Party(_offsetOf(party));
                        _parties[party] = p;
                    }

                    if (p.Waiters.Count == 0 && p.CanEnter(content, exclusive))
                    {
                        first = p.Admit(content, exclusive);
                    }
                    else
                    {
                        waiter = new Waiter(content, exclusive);
                        p.Waiters.AddLast(waiter);
                    }
                }

                if (waiter != null)
                {
                    using (cancellationToken.Register(() => Withdraw(party, p, waiter)))
                    {
                        first = await waiter.Admitted.Task.ConfigureAwait(false);
                    }
                }

                var release = new Releaser(() => Leave(party, p));
                if (first)
                {
                    try
                    {
                        await _file.TakeAsync(p.Offset, cancellationToken).ConfigureAwait(false);
                        lock (_sync) p.FileHeld = true;
                        p.Ready.TrySetResult(true);
                    }
                    catch (Exception ex)
                    {
                        p.Ready.TrySetException(ex);
                        release.Dispose();
                        throw;
                    }

                    return release;
                }

                try
                {
                    await p.Ready.Task.ConfigureAwait(false);
                    return release;
                }
                catch when (!cancellationToken.IsCancellationRequested)
                {
                    release.Dispose(); // the creation that was taking the party's byte was stopped: try again
                }
                catch
                {
                    release.Dispose();
                    throw;
                }
            }
        }

        private void Withdraw(string party, Party p, Waiter waiter)
        {
            lock (_sync)
            {
                if (!p.Waiters.Remove(waiter)) return; // already admitted: its holder releases
                waiter.Admitted.TrySetCanceled();
                if (p.Holders == 0 && p.Waiters.Count == 0) _parties.Remove(party);
            }
        }

        private void Leave(string party, Party p)
        {
            lock (_sync)
            {
                if (--p.Holders > 0) return;
                if (p.FileHeld) _file.Release(p.Offset);
                p.FileHeld = false;
                p.Content = null;
                p.Exclusive = false;
                while (p.Waiters.Count > 0 && p.CanEnter(p.Waiters.First.Value.Content, p.Waiters.First.Value.Exclusive))
                {
                    var next = p.Waiters.First.Value;
                    p.Waiters.RemoveFirst();
                    next.Admitted.TrySetResult(p.Admit(next.Content, next.Exclusive));
                }

                if (p.Holders == 0 && p.Waiters.Count == 0) _parties.Remove(party);
            }
        }

        private sealed class Party
        {
            public Party(long offset) => Offset = offset;

            public readonly long Offset;
            public readonly LinkedList<Waiter> Waiters = new LinkedList<Waiter>();
            public string Content;
            public bool Exclusive;
            public int Holders;
            public bool FileHeld;
            public TaskCompletionSource<bool> Ready;

            public bool CanEnter(string content, bool exclusive) =>
                Holders == 0 || (!Exclusive && !exclusive && content != null && string.Equals(Content, content, StringComparison.Ordinal));

            /// <returns>Whether this holder is the first, and takes the party's byte for the others.</returns>
            public bool Admit(string content, bool exclusive)
            {
                Holders++;
                if (Holders > 1) return false;
                Content = content;
                Exclusive = exclusive;
                Ready = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                return true;
            }
        }

        private sealed class Waiter
        {
            public Waiter(string content, bool exclusive)
            {
                Content = content;
                Exclusive = exclusive;
            }

            public readonly string Content;
            public readonly bool Exclusive;
            public readonly TaskCompletionSource<bool> Admitted = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    internal sealed class Releaser : IDisposable
    {
        private Action _release;

        public Releaser(Action release) => _release = release;

        public void Dispose() => Interlocked.Exchange(ref _release, null)?.Invoke();
    }
}
