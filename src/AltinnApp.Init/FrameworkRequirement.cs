using System;
using Microsoft.Win32;

namespace AltinnApp.Init
{
    /// <summary>
    /// Windows PowerShell 5.1 does not enforce the manifest's DotNetFrameworkVersion: on .NET Framework 4.6.x the
    /// import would end in a raw "could not load netstandard" error, and on 4.7.1 certificate keys fail to load
    /// (X509KeyStorageFlags.EphemeralKeySet). So the module reads the installed release itself, before any
    /// engine assembly loads, and stops with a message that says what to install. This assembly targets net462
    /// so that it still runs on the Frameworks it refuses.
    /// </summary>
    internal static class FrameworkRequirement
    {
        /// <summary>The "Release" value of .NET Framework 4.7.2 (461808 on Windows 10 1803, 461814 elsewhere).</summary>
        public const int MinimumRelease = 461808;

        public const string MinimumVersion = "4.7.2";

        public const string DownloadUri = "https://dotnet.microsoft.com/download/dotnet-framework";

        private const string NdpKey = @"SOFTWARE\Microsoft\NET Framework Setup\NDP\v4\Full";

        /// <summary>The message to stop with, or null when <paramref name="release"/> is new enough or unknown.</summary>
        public static string Problem(int? release)
        {
            // unknown (no key, no access): let the import go on rather than refuse a machine that may be fine
            if (release == null || release.Value >= MinimumRelease) return null;
            return $"AltinnApp needs .NET Framework {MinimumVersion} or later in Windows PowerShell 5.1, and this computer has " +
                   $"{Name(release.Value)} (registry Release {release.Value}). Install .NET Framework {MinimumVersion} or later " +
                   $"({DownloadUri}; 4.8 is offered by Windows Update), then start a new PowerShell; or use PowerShell 7 (pwsh), which does not need it.";
        }

        /// <summary>The installed release from the registry, or null when it cannot be read.</summary>
        public static int? InstalledRelease()
        {
            try
            {
                using (var key = RegistryKey.OpenBaseKey(RegistryHive.LocalMachine, RegistryView.Registry64).OpenSubKey(NdpKey))
                {
                    return key?.GetValue("Release") is int release ? release : (int?)null;
                }
            }
            catch (Exception ex) when (ex is UnauthorizedAccessException || ex is System.Security.SecurityException || ex is System.IO.IOException || ex is PlatformNotSupportedException)
            {
                return null;
            }
        }

        // Microsoft's table of Release values: "How to: Determine which .NET Framework versions are installed"
        private static string Name(int release)
        {
            if (release >= 461308) return ".NET Framework 4.7.1";
            if (release >= 460798) return ".NET Framework 4.7";
            if (release >= 394802) return ".NET Framework 4.6.2";
            if (release >= 394254) return ".NET Framework 4.6.1";
            if (release >= 393295) return ".NET Framework 4.6";
            return ".NET Framework 4.5.x";
        }
    }
}
