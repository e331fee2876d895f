using System;
using System.ComponentModel;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace AltinnApp.Core.Files
{
    /// <summary>
    /// Files and folders only the current user can open, from the moment they exist: a private key is never, not even
    /// for an instant, in a file another local user could open and keep open. Mode 600 (folders 700) on Linux and
    /// macOS, given to the create call itself; on Windows a protected DACL with one entry, the current user, given to
    /// CreateFile/CreateDirectory. Only the DACL is set: the owner and the SACL are left to the system (writing a SACL
    /// needs SeSecurityPrivilege, which standard users lack).
    /// </summary>
    public static class OwnerOnly
    {
        private const int UserReadWrite = 0x180; // octal 600
        private const int UserAll = 0x1C0; // octal 700

        private static bool IsWindows => RuntimeInformation.IsOSPlatform(OSPlatform.Windows);

        /// <summary>Creates a new file (refusing one that exists, or a link in its place) open to the current user only, open for writing.</summary>
        public static FileStream CreateNew(string path) => CreateNew(path, FileShare.None);

        private static FileStream CreateNew(string path, FileShare share)
        {
            if (IsWindows) return Windows.CreateNew(path, share);
            return CreateWithUnixCreateMode(path, share) ?? Unix.CreateNew(path);
        }

        /// <summary>
        /// Creates <paramref name="path"/> empty and open to the current user only, unless it exists (an existing file is left
        /// as it is). For files several processes open at once (a journal, its lock files): the creator shares it with
        /// them from the start, and losing the race to another creator is not an error.
        /// </summary>
        public static void EnsureFile(string path)
        {
            if (File.Exists(path)) return;
            try
            {
                using (CreateNew(path, FileShare.ReadWrite | FileShare.Delete))
                {
                }
            }
            catch (IOException) when (File.Exists(path))
            {
                // another process or runspace made it first, the same way
            }
        }

        /// <summary>Creates one folder (its parent must exist) open to the current user only.</summary>
        public static void CreateFolder(string path)
        {
            if (IsWindows)
            {
                Windows.CreateFolder(path);
            }
            else
            {
                Unix.CreateFolder(path);
            }
        }

        /// <summary>Limits an existing file (or folder) to the current user: for a file a replace may have given the old file's permissions.</summary>
        public static void Restrict(string path, bool folder)
        {
            if (IsWindows)
            {
                Windows.Restrict(path, folder);
            }
            else
            {
                Unix.Chmod(path, folder ? UserAll : UserReadWrite);
            }
        }

        /// <summary>.NET 7 and later (PowerShell 7.3+): FileStreamOptions.UnixCreateMode, found at run time as the engine is netstandard2.0.</summary>
        private static FileStream CreateWithUnixCreateMode(string path, FileShare share)
        {
            var optionsType = typeof(FileStream).Assembly.GetType("System.IO.FileStreamOptions");
            var modeProperty = optionsType?.GetProperty("UnixCreateMode");
            var modeType = typeof(File).Assembly.GetType("System.IO.UnixFileMode");
            var constructor = optionsType == null ? null : typeof(FileStream).GetConstructor(new[] { typeof(string), optionsType });
            if (modeProperty == null || modeType == null || constructor == null) return null;

            var options = Activator.CreateInstance(optionsType);
            optionsType.GetProperty("Mode").SetValue(options, FileMode.CreateNew);
            optionsType.GetProperty("Access").SetValue(options, FileAccess.Write);
            optionsType.GetProperty("Share").SetValue(options, share);
            modeProperty.SetValue(options, Enum.ToObject(modeType, UserReadWrite));
            try
            {
                return (FileStream)constructor.Invoke(new[] { path, options });
            }
            catch (TargetInvocationException ex) when (ex.InnerException != null)
            {
                throw ex.InnerException;
            }
        }

        internal static class Unix
        {
            [DllImport("libc", EntryPoint = "open", SetLastError = true)]
            private static extern int Open(string path, int flags, int mode);

            [DllImport("libc", EntryPoint = "close", SetLastError = true)]
            private static extern int Close(int fd);

            [DllImport("libc", EntryPoint = "mkdir", SetLastError = true)]
            private static extern int Mkdir(string path, int mode);

            [DllImport("libc", EntryPoint = "chmod", SetLastError = true)]
            private static extern int ChmodNative(string path, int mode);

            /// <summary>open(2) with O_CREAT|O_EXCL and mode 600: created private, and never through a link left in its place.</summary>
            internal static FileStream CreateNew(string path)
            {
                int flags;
                if (RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
                {
                    flags = 0x1 | 0x40 | 0x80 | 0x80000; // O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC
                }
                else if (RuntimeInformation.IsOSPlatform(OSPlatform.OSX) && RuntimeInformation.ProcessArchitecture == Architecture.X64)
                {
                    flags = 0x1 | 0x200 | 0x800 | 0x1000000;
                }
                else
                {
                    // open is variadic, and Apple's arm64 passes variadic arguments on the stack: no safe call without .NET 7
                    throw new PlatformNotSupportedException("this runtime cannot create a file readable by its owner only; use PowerShell 7.4 or later");
                }

                var fd = Open(path, flags, UserReadWrite);
                if (fd < 0) throw Failure("open", path);
                var handle = new SafeFileHandle(new IntPtr(fd), ownsHandle: true);
                try
                {
                    return new FileStream(handle, FileAccess.Write);
                }
                catch
                {
                    handle.Dispose();
                    throw;
                }
            }

            internal static void CreateFolder(string path)
            {
                if (Mkdir(path, UserAll) != 0) throw Failure("mkdir", path);
                Chmod(path, UserAll); // the umask may have taken bits away; it cannot have added any
            }

            internal static void Chmod(string path, int mode)
            {
                if (ChmodNative(path, mode) != 0) throw Failure("chmod", path);
            }

            private static IOException Failure(string call, string path)
            {
                var errno = Marshal.GetLastWin32Error();
                return new IOException($"{call} failed for '{path}': {new Win32Exception(errno).Message} (errno {errno})", errno);
            }
        }

        private static class Windows
        {
            private const uint GenericWrite = 0x40000000;
            private const uint CreateNewDisposition = 1;
            private const uint FileAttributeNormal = 0x80;
            private const int SeFileObject = 1;
            private const uint DaclSecurityInformation = 0x4;
            private const uint ProtectedDaclSecurityInformation = 0x80000000;

            [StructLayout(LayoutKind.Sequential)]
            private struct SecurityAttributes
            {
                public int Length;
                public IntPtr SecurityDescriptor;
                public int InheritHandle;
            }

            [DllImport("advapi32.dll", CharSet = CharSet.Unicode, SetLastError = true)]
            private static extern bool ConvertStringSecurityDescriptorToSecurityDescriptorW(string sddl, uint revision, out IntPtr descriptor, IntPtr size);

            [DllImport("advapi32.dll", SetLastError = true)]
            private static extern bool GetSecurityDescriptorDacl(IntPtr descriptor, out bool present, out IntPtr dacl, out bool defaulted);

            [DllImport("advapi32.dll", CharSet = CharSet.Unicode)]
            private static extern uint SetNamedSecurityInfoW(string name, int type, uint information, IntPtr owner, IntPtr group, IntPtr dacl, IntPtr sacl);

            [DllImport("advapi32.dll", SetLastError = true)]
            private static extern bool OpenProcessToken(IntPtr process, uint access, out IntPtr token);

            [DllImport("advapi32.dll", SetLastError = true)]
            private static extern bool GetTokenInformation(IntPtr token, int informationClass, IntPtr information, int length, out int returned);

            [DllImport("advapi32.dll", CharSet = CharSet.Unicode, SetLastError = true)]
            private static extern bool ConvertSidToStringSidW(IntPtr sid, out IntPtr text);

            [DllImport("kernel32.dll", CharSet = CharSet.Unicode, SetLastError = true)]
            private static extern SafeFileHandle CreateFileW(string name, uint access, uint share, ref SecurityAttributes attributes, uint disposition, uint flags, IntPtr template);

            [DllImport("kernel32.dll", CharSet = CharSet.Unicode, SetLastError = true)]
            private static extern bool CreateDirectoryW(string name, ref SecurityAttributes attributes);

            [DllImport("kernel32.dll")]
            private static extern IntPtr GetCurrentProcess();

            [DllImport("kernel32.dll")]
            private static extern bool CloseHandle(IntPtr handle);

            [DllImport("kernel32.dll")]
            private static extern IntPtr LocalFree(IntPtr memory);

            internal static FileStream CreateNew(string path, FileShare share) => WithDescriptor(false, attributes =>
            {
                // FileShare's Read, Write and Delete are FILE_SHARE_READ, _WRITE and _DELETE
                var handle = CreateFileW(path, GenericWrite, (uint)(share & (FileShare.ReadWrite | FileShare.Delete)), ref attributes, CreateNewDisposition, FileAttributeNormal, IntPtr.Zero);
                if (handle.IsInvalid) throw Failure("CreateFile", path, Marshal.GetLastWin32Error());
                try
                {
                    return new FileStream(handle, FileAccess.Write);
                }
                catch
                {
                    handle.Dispose();
                    throw;
                }
            });

            internal static void CreateFolder(string path) => WithDescriptor(true, attributes =>
            {
                if (!CreateDirectoryW(path, ref attributes)) throw Failure("CreateDirectory", path, Marshal.GetLastWin32Error());
                return 0;
            });

            internal static void Restrict(string path, bool folder) => WithDescriptor(folder, attributes =>
            {
                if (!GetSecurityDescriptorDacl(attributes.SecurityDescriptor, out _, out var dacl, out _)) throw Failure("GetSecurityDescriptorDacl", path, Marshal.GetLastWin32Error());
                // the DACL alone, protected from inheritance; owner, group and SACL untouched
                var error = SetNamedSecurityInfoW(path, SeFileObject, DaclSecurityInformation | ProtectedDaclSecurityInformation, IntPtr.Zero, IntPtr.Zero, dacl, IntPtr.Zero);
                if (error != 0) throw Failure("SetNamedSecurityInfo", path, (int)error);
                return 0;
            });

            /// <summary>A security descriptor with a protected DACL granting the current user full control, nobody else anything.</summary>
            private static T WithDescriptor<T>(bool folder, Func<SecurityAttributes, T> use)
            {
                var sddl = "D:P(A;" + (folder ? "OICI" : string.Empty) + ";FA;;;" + CurrentUserSid() + ")";
                if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl, 1, out var descriptor, IntPtr.Zero))
                {
                    throw new Win32Exception(Marshal.GetLastWin32Error());
                }

                try
                {
                    var attributes = new SecurityAttributes { Length = Marshal.SizeOf(typeof(SecurityAttributes)), SecurityDescriptor = descriptor };
                    return use(attributes);
                }
                finally
                {
                    LocalFree(descriptor);
                }
            }

            private static string CurrentUserSid()
            {
                const uint TokenQuery = 0x0008;
                const int TokenUser = 1;
                if (!OpenProcessToken(GetCurrentProcess(), TokenQuery, out var token)) throw new Win32Exception(Marshal.GetLastWin32Error());
                try
                {
                    GetTokenInformation(token, TokenUser, IntPtr.Zero, 0, out var length);
                    var buffer = Marshal.AllocHGlobal(length);
                    try
                    {
                        if (!GetTokenInformation(token, TokenUser, buffer, length, out _)) throw new Win32Exception(Marshal.GetLastWin32Error());
                        var sid = Marshal.ReadIntPtr(buffer); // TOKEN_USER.User.Sid
                        if (!ConvertSidToStringSidW(sid, out var text)) throw new Win32Exception(Marshal.GetLastWin32Error());
                        try
                        {
                            return Marshal.PtrToStringUni(text);
                        }
                        finally
                        {
                            LocalFree(text);
                        }
                    }
                    finally
                    {
                        Marshal.FreeHGlobal(buffer);
                    }
                }
                finally
                {
                    CloseHandle(token);
                }
            }

            private static IOException Failure(string call, string path, int error) =>
                new IOException($"{call} failed for '{path}': {new Win32Exception(error).Message}", error);
        }
    }
}
