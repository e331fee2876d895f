using System;
using System.IO;
using System.Runtime.InteropServices;

namespace AltinnApp.Core.Journal
{
    /// <summary>
    /// Creates the journal's files readable and writable by their owner only, from the moment they exist: on Linux and
    /// macOS with open(2) and mode 0600 (never a chmod afterwards, which would leave a moment when others could open it).
    /// On Windows a new file takes the ACL its folder passes on, which in a user's own folders is the user's alone.
    /// </summary>
    internal static class OwnerOnlyCreate
    {
        private const int UserReadWrite = 0x180; // octal 600
        private const int WriteOnly = 1;

        [DllImport("libc", EntryPoint = "open", SetLastError = true)]
        private static extern int Open(string path, int flags, int mode);

        [DllImport("libc", EntryPoint = "close", SetLastError = true)]
        private static extern int Close(int fd);

        /// <summary>Makes <paramref name="path"/> (empty, mode 0600) unless it exists; an existing file is left as it is.</summary>
        public static void EnsureFile(string path)
        {
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows) || File.Exists(path)) return;
            var create = RuntimeInformation.IsOSPlatform(OSPlatform.OSX) ? 0x200 : 0x40;
            var exclusive = RuntimeInformation.IsOSPlatform(OSPlatform.OSX) ? 0x800 : 0x80;
            var fd = Open(path, WriteOnly | create | exclusive, UserReadWrite);
            if (fd >= 0)
            {
                Close(fd);
                return;
            }

            var errno = Marshal.GetLastWin32Error();
            if (errno == 17) return; // EEXIST: another process or runspace made it first, with the same mode
            throw new IOException($"the file could not be created (error {errno})");
        }
    }
}
