using System;
using System.IO;
using System.Management.Automation;
using System.Runtime.InteropServices;
using AltinnApp.Core;

namespace AltinnApp.PowerShell.Infrastructure
{
    /// <summary>
    /// Makes a file readable and writable by the current user only, before any secret is written to it:
    /// mode 600 on Linux and macOS, a protected ACL with one entry for the current user on Windows.
    /// </summary>
    internal static class OwnerOnlyFile
    {
        private const int UserReadWrite = 0x180; // octal 600
        private const int UserReadWriteSearch = 0x1C0; // octal 700

        // Windows: the same in Windows PowerShell 5.1 and PowerShell 7, through the cmdlets both ship
        private const string WindowsScript = @"
param([string] $Path)
$acl = [System.Security.AccessControl.FileSecurity]::new()
$acl.SetAccessRuleProtection($true, $false)
$user = [System.Security.Principal.WindowsIdentity]::GetCurrent().User
$acl.AddAccessRule([System.Security.AccessControl.FileSystemAccessRule]::new($user, 'FullControl', 'Allow'))
Microsoft.PowerShell.Security\Set-Acl -LiteralPath $Path -AclObject $acl -ErrorAction Stop
";

        private const string WindowsFolderScript = @"
param([string] $Path)
$acl = [System.Security.AccessControl.DirectorySecurity]::new()
$acl.SetAccessRuleProtection($true, $false)
$user = [System.Security.Principal.WindowsIdentity]::GetCurrent().User
$acl.AddAccessRule([System.Security.AccessControl.FileSystemAccessRule]::new($user, 'FullControl', 'ContainerInherit,ObjectInherit', 'None', 'Allow'))
Microsoft.PowerShell.Security\Set-Acl -LiteralPath $Path -AclObject $acl -ErrorAction Stop
";

        [DllImport("libc", EntryPoint = "chmod", SetLastError = true)]
        private static extern int Chmod(string path, int mode);

        public static void Restrict(string path, PSCmdlet cmdlet)
        {
            try
            {
                if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
                {
                    cmdlet.InvokeCommand.NewScriptBlock(WindowsScript).Invoke(path);
                }
                else
                {
                    RestrictUnix(path);
                }
            }
            catch (Exception ex) when (!(ex is AltinnException) && !(ex is PipelineStoppedException))
            {
                throw new AltinnException("Altinn.SigningKey.CannotProtect", AltinnErrorKind.PermissionDenied,
                    $"Could not make '{path}' readable by the current user only ({ex.Message}). The key was not written; choose a folder on a local file system you own.");
            }
        }

        /// <summary>
        /// Creates <paramref name="folder"/> and any missing folder above it, each open to the current user only
        /// (mode 700; on Windows an ACL with the user alone). Folders already there are left as they are.
        /// </summary>
        public static void CreateFolder(string folder, PSCmdlet cmdlet, string operation)
        {
            var missing = new System.Collections.Generic.Stack<string>();
            for (var f = folder; !string.IsNullOrEmpty(f) && !Directory.Exists(f); f = Path.GetDirectoryName(f)) missing.Push(f);
            try
            {
                while (missing.Count > 0)
                {
                    var f = missing.Pop();
                    Directory.CreateDirectory(f); // empty until restricted: nothing is written before that
                    if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
                    {
                        cmdlet.InvokeCommand.NewScriptBlock(WindowsFolderScript).Invoke(f);
                    }
                    else
                    {
                        RestrictUnix(f, UserReadWriteSearch);
                    }
                }
            }
            catch (Exception ex) when (!(ex is AltinnException) && !(ex is PipelineStoppedException))
            {
                throw new AltinnException(ErrorCatalogue.Id(operation, ErrorReason.CannotWrite), AltinnErrorKind.WriteError,
                    $"Could not create the folder '{folder}' for the key ({ex.Message.TrimEnd('.')}). Create it yourself, readable by you only, or give a -Path in a folder you can write to.");
            }
        }

        private static void RestrictUnix(string path) => RestrictUnix(path, UserReadWrite);

        private static void RestrictUnix(string path, int mode)
        {
            // File.SetUnixFileMode (.NET 7+) where the runtime has it; libc chmod on older runtimes
            var modeType = typeof(File).Assembly.GetType("System.IO.UnixFileMode");
            var setMode = modeType == null ? null : typeof(File).GetMethod("SetUnixFileMode", new[] { typeof(string), modeType });
            if (setMode != null)
            {
                try
                {
                    setMode.Invoke(null, new[] { path, Enum.ToObject(modeType, mode) });
                }
                catch (System.Reflection.TargetInvocationException ex) when (ex.InnerException != null)
                {
                    throw ex.InnerException;
                }

                return;
            }

            if (Chmod(path, mode) != 0)
            {
                throw new IOException($"chmod failed with error {Marshal.GetLastWin32Error()}");
            }
        }
    }
}
