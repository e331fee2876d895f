using System;
using System.Runtime.InteropServices;

namespace AltinnApp.PowerShell.Infrastructure
{
    /// <summary>
    /// Windows PowerShell 5.1 takes ~ from HOMEDRIVE and HOMEPATH, which SYSTEM and service logons lack and which is a
    /// network share for many domain users; the module takes ~ as the user profile there, as PowerShell 7 does.
    /// </summary>
    internal static class ProfileHome
    {
        private static readonly bool IsWindowsPowerShell =
            RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.OrdinalIgnoreCase);

        public static string Expand(string path)
        {
            if (!IsWindowsPowerShell || string.IsNullOrEmpty(path) || path[0] != '~') return path;
            if (path.Length > 1 && path[1] != '/' && path[1] != '\\') return path; // ~user or a name starting with ~
            var profile = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            return string.IsNullOrEmpty(profile) ? path : profile + path.Substring(1);
        }
    }
}
