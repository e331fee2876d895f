using System;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using AltinnApp.Core;

namespace AltinnApp.Core.Files
{
    /// <summary>Writes a file so that it is either whole or absent: into a hidden temporary file beside it, then renamed.</summary>
    public static class AtomicFile
    {
        /// <summary>
        /// Streams into the file. Only file-system failures become <c>Altinn.&lt;operation&gt;.CannotWrite</c>; a failure of
        /// <paramref name="write"/> itself (a broken download) keeps its own error, and the temporary file is removed either way.
        /// </summary>
        public static async Task WriteAsync(string path, bool overwrite, string operation, Func<Stream, Task> write, CancellationToken cancellationToken)
        {
            var temp = TempPathFor(path);
            try
            {
                FileStream stream;
                try
                {
                    // unbuffered (size 1): the writers hand over whole 80 KiB chunks, so a buffer of its own would only be garbage
                    stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous);
                }
                catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
                {
                    throw CannotWrite(ErrorCatalogue.Id(operation, ErrorReason.CannotWrite), path, ex);
                }

                using (stream)
                {
                    await write(stream).ConfigureAwait(false);
                    try
                    {
                        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
                    }
                    catch (IOException ex)
                    {
                        throw CannotWrite(ErrorCatalogue.Id(operation, ErrorReason.CannotWrite), path, ex);
                    }
                }

                try
                {
                    MoveIntoPlace(temp, path, overwrite, ErrorCatalogue.Id(operation, ErrorReason.FileExists));
                }
                catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
                {
                    throw CannotWrite(ErrorCatalogue.Id(operation, ErrorReason.CannotWrite), path, ex);
                }
            }
            finally
            {
                DeleteQuietly(temp);
            }
        }

        /// <summary>
        /// Writes a secret: the temporary file is created open to the current user only (<see cref="OwnerOnly.CreateNew"/>),
        /// so no other user can open it between its creation and its protection, and <paramref name="protect"/> runs on
        /// the final file (a replace may carry the old file's permissions over). A temporary file that cannot be made
        /// private is never created; one that fails later is removed.
        /// </summary>
        public static void WriteSecret(string path, bool overwrite, byte[] content, Action<string> protect)
        {
            var folder = Path.GetDirectoryName(Path.GetFullPath(path));
            if (!Directory.Exists(folder))
            {
                throw new AltinnArgumentException("Altinn.File.FolderMissing", $"The folder '{folder}' does not exist. Create it first, or give another -Path.");
            }

            var temp = TempPathFor(path);
            try
            {
                FileStream created;
                try
                {
                    created = OwnerOnly.CreateNew(temp);
                }
                catch (Exception ex) when (ex is System.ComponentModel.Win32Exception || ex is PlatformNotSupportedException)
                {
                    throw new AltinnException(ErrorCatalogue.Id("SigningKey", ErrorReason.CannotProtect), AltinnErrorKind.PermissionDenied,
                        $"Could not create '{path}' readable by the current user only ({ex.Message}). The key was not written; choose a folder on a local file system you own.");
                }

                using (var stream = created)
                {
                    stream.Write(content, 0, content.Length);
                    stream.Flush(true);
                }

                MoveIntoPlace(temp, path, overwrite, "Altinn.File.FileExists");
                protect(path);
            }
            catch (UnauthorizedAccessException ex)
            {
                throw CannotWrite("Altinn.File.CannotWrite", path, ex);
            }
            catch (IOException ex) when (!(ex is FileNotFoundException))
            {
                throw CannotWrite("Altinn.File.CannotWrite", path, ex);
            }
            finally
            {
                DeleteQuietly(temp);
            }
        }

        private static readonly int CurrentProcessId = System.Diagnostics.Process.GetCurrentProcess().Id;

        // The writer's process id is in the name, so a later run can tell a killed writer's leftover from a live one.
        private static string TempPathFor(string path)
        {
            var folder = Path.GetDirectoryName(Path.GetFullPath(path));
            return Path.Combine(folder, "." + Path.GetFileName(path) + "." + CurrentProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture) + "-" +
                Guid.NewGuid().ToString("N").Substring(0, 8) + ".partial");
        }

        /// <summary>
        /// Removes what a killed run left of this file: hidden partial files of the same name whose writer process is
        /// gone. A live writer's (another runspace here, or another process) is left alone. For reruns from a journal.
        /// </summary>
        public static void RemoveLeftovers(string path)
        {
            var folder = Path.GetDirectoryName(Path.GetFullPath(path));
            var prefix = "." + Path.GetFileName(path) + ".";
            const string suffix = ".partial";
            if (!Directory.Exists(folder)) return;
            foreach (var file in Directory.EnumerateFiles(folder, prefix + "*" + suffix))
            {
                var name = Path.GetFileName(file);
                if (!name.StartsWith(prefix, StringComparison.Ordinal) || !name.EndsWith(suffix, StringComparison.Ordinal)) continue;
                var tag = name.Substring(prefix.Length, name.Length - prefix.Length - suffix.Length);
                var dash = tag.IndexOf('-');
                if (dash <= 0 || !int.TryParse(tag.Substring(0, dash), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var pid)) continue;
                if (pid == CurrentProcessId || IsRunning(pid)) continue;
                DeleteQuietly(file);
            }
        }

        private static bool IsRunning(int processId)
        {
            try
            {
                using (var process = System.Diagnostics.Process.GetProcessById(processId)) return !process.HasExited;
            }
            catch (ArgumentException)
            {
                return false; // no such process
            }
            catch (InvalidOperationException)
            {
                return false;
            }
        }

        private static void MoveIntoPlace(string temp, string path, bool overwrite, string existsErrorId)
        {
            if (File.Exists(path))
            {
                if (!overwrite)
                {
                    throw new AltinnException(existsErrorId, AltinnErrorKind.WriteError, $"'{path}' already exists. Use -Force to overwrite it, or choose another -Path.");
                }

                // a virus scanner or a viewer may hold the old file for a moment: a few short tries before giving up
                for (var attempt = 1; ; attempt++)
                {
                    try
                    {
                        File.Replace(temp, path, null);
                        return;
                    }
                    catch (IOException ex) when (IsLocked(ex) && attempt < LockedAttempts)
                    {
                        Thread.Sleep(LockedPause);
                    }
                }
            }

            File.Move(temp, path);
        }

        private const int LockedAttempts = 4;
        private static readonly TimeSpan LockedPause = TimeSpan.FromMilliseconds(250);

        // ERROR_SHARING_VIOLATION and ERROR_LOCK_VIOLATION, as HRESULTs
        private static bool IsLocked(IOException ex) => Path.DirectorySeparatorChar == '\\' && ((ex.HResult & 0xFFFF) == 32 || (ex.HResult & 0xFFFF) == 33);

        private static AltinnException CannotWrite(string errorId, string path, Exception ex)
        {
            var hint = ex is PathTooLongException
                ? " The path is too long for this system: choose a shorter folder or file name (or turn on long paths in Windows)."
                : ex is IOException io && IsLocked(io)
                    ? " Another program (a PDF viewer, a virus scanner, a sync client) holds the file open: close it and run again."
                    : string.Empty;
            return new AltinnException(errorId, AltinnErrorKind.WriteError, $"'{path}' cannot be written: {ex.Message.Trim()}{hint}");
        }

        private static void DeleteQuietly(string temp)
        {
            if (File.Exists(temp))
            {
                try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            }
        }
    }
}
