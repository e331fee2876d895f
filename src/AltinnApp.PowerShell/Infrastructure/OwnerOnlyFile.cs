using System;
using System.IO;
using System.Management.Automation;
using AltinnApp.Core;
using AltinnApp.Core.Files;

namespace AltinnApp.PowerShell.Infrastructure
{
    /// <summary>
    /// Key files and their folders, readable and writable by the current user only (mode 600/700 on Linux and macOS,
    /// a protected DACL with the user alone on Windows; <see cref="OwnerOnly"/>), with the cmdlets' errors.
    /// </summary>
    internal static class OwnerOnlyFile
    {
        /// <summary>Limits an existing key file to its owner again (a replace may carry the old file's permissions over).</summary>
        public static void Restrict(string path, PSCmdlet cmdlet)
        {
            try
            {
                OwnerOnly.Restrict(path, folder: false);
            }
            catch (Exception ex) when (!(ex is AltinnException) && !(ex is PipelineStoppedException))
            {
                // the key is in place but may be readable by others: remove it rather than leave it so
                try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
                throw new AltinnException(ErrorCatalogue.Id("SigningKey", ErrorReason.CannotProtect), AltinnErrorKind.PermissionDenied,
                    $"Could not make '{path}' readable by the current user only ({ex.Message}). The key was not kept; choose a folder on a local file system you own.");
            }
        }

        /// <summary>
        /// Creates <paramref name="folder"/> and any missing folder above it, each open to the current user only from
        /// its creation. Folders already there are left as they are.
        /// </summary>
        public static void CreateFolder(string folder, PSCmdlet cmdlet, string operation)
        {
            var missing = new System.Collections.Generic.Stack<string>();
            for (var f = folder; !string.IsNullOrEmpty(f) && !Directory.Exists(f); f = Path.GetDirectoryName(f)) missing.Push(f);
            try
            {
                while (missing.Count > 0)
                {
                    OwnerOnly.CreateFolder(missing.Pop());
                }
            }
            catch (Exception ex) when (!(ex is AltinnException) && !(ex is PipelineStoppedException))
            {
                throw new AltinnException(ErrorCatalogue.Id(operation, ErrorReason.CannotWrite), AltinnErrorKind.WriteError,
                    $"Could not create the folder '{folder}' for the key ({ex.Message.TrimEnd('.')}). Create it yourself, readable by you only, or give a -Path in a folder you can write to.");
            }
        }
    }
}
