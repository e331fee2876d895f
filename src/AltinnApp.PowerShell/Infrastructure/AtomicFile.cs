using System;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using AltinnApp.Core;

namespace AltinnApp.PowerShell.Infrastructure
{
    /// <summary>Writes a file so that it is either whole or absent: into a hidden temporary file beside it, then renamed.</summary>
    internal static class AtomicFile
    {
        public static async Task WriteAsync(string path, bool overwrite, string operation, Func<Stream, Task> write, CancellationToken cancellationToken)
        {
            var folder = Path.GetDirectoryName(Path.GetFullPath(path));
            var temp = Path.Combine(folder, "." + Path.GetFileName(path) + "." + Guid.NewGuid().ToString("N").Substring(0, 8) + ".partial");
            try
            {
                FileStream stream;
                try
                {
                    stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, FileOptions.Asynchronous);
                }
                catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
                {
                    throw CannotWrite(operation, path, ex);
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
                        throw CannotWrite(operation, path, ex);
                    }
                }

                try
                {
                    if (File.Exists(path))
                    {
                        if (!overwrite)
                        {
                            throw new AltinnException($"Altinn.{operation}.FileExists", AltinnErrorKind.WriteError, $"'{path}' already exists. Use -Force to overwrite it, or choose another -Path.");
                        }

                        File.Replace(temp, path, null);
                    }
                    else
                    {
                        File.Move(temp, path);
                    }
                }
                catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
                {
                    throw CannotWrite(operation, path, ex);
                }
            }
            finally
            {
                if (File.Exists(temp))
                {
                    try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
                }
            }
        }

        private static AltinnException CannotWrite(string operation, string path, Exception ex) =>
            new AltinnException($"Altinn.{operation}.CannotWrite", AltinnErrorKind.WriteError, $"'{path}' cannot be written: {ex.Message}");
    }

    internal static class SafeFileName
    {
        private static readonly char[] Invalid = Path.GetInvalidFileNameChars().Concat(new[] { '/', '\\', ':', '*', '?', '"', '<', '>', '|' }).Distinct().ToArray();

        /// <summary>A server-given name made safe on every platform: no folders, no reserved characters.</summary>
        public static string From(string name, string fallback)
        {
            if (string.IsNullOrWhiteSpace(name)) return fallback;
            var decoded = Uri.UnescapeDataString(name.Trim().Trim('"'));
            var chars = decoded.Select(c => Invalid.Contains(c) || char.IsControl(c) ? '_' : c).ToArray();
            var safe = new string(chars).Trim(' ', '.');
            if (safe.Length > 120) safe = safe.Substring(safe.Length - 120);
            return safe.Length == 0 ? fallback : safe;
        }
    }
}
