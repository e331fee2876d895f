using System;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace AltinnApp.Core.Files
{
    /// <summary>
    /// File names that come from a server (a data element's filename, its data type) made safe to create on every
    /// platform, so a file saved on Linux can be copied to Windows and back: one name, no folders, nothing invisible.
    /// </summary>
    public static class SafeFileName
    {
        /// <summary>Appended to a name with an extension Windows runs or opens as a program, so a double click opens nothing.</summary>
        public const string BlockedSuffix = ".download";

        private const int MaximumLength = 120;

        private static readonly char[] Invalid = Path.GetInvalidFileNameChars().Concat(new[] { '/', '\\', ':', '*', '?', '"', '<', '>', '|' }).Distinct().ToArray();

        // programs, scripts and shortcuts Windows or a shell runs when the file is opened
        private static readonly string[] Executable =
        {
            ".exe", ".bat", ".cmd", ".com", ".scr", ".pif", ".msi", ".msp", ".cpl", ".lnk", ".url", ".reg", ".hta",
            ".ps1", ".psm1", ".psd1", ".ps1xml", ".vbs", ".vbe", ".js", ".jse", ".wsf", ".wsh", ".jar", ".sh", ".appref-ms",
        };

        // CON, PRN, AUX, NUL, COM0-9, LPT0-9 (and the superscript digits Windows also reserves), with or without an extension
        private static readonly Regex Reserved = new Regex(@"^(CON|PRN|AUX|NUL|CONIN\$|CONOUT\$|COM[0-9\u00B9\u00B2\u00B3]|LPT[0-9\u00B9\u00B2\u00B3])$",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

        /// <summary>
        /// A server-given name made safe on every platform: no folders, no reserved or invisible characters, no
        /// reserved device name, and <see cref="BlockedSuffix"/> after an executable extension. An empty result
        /// takes <paramref name="fallback"/>, which is made safe the same way.
        /// </summary>
        public static string From(string name, string fallback)
        {
            var safe = Clean(name);
            if (safe.Length > 0) return safe;
            safe = Clean(fallback);
            return safe.Length > 0 ? safe : "data";
        }

        /// <summary>True when the name's extension is one Windows runs as a program or script.</summary>
        public static bool IsExecutable(string name)
        {
            var extension = Path.GetExtension(name ?? string.Empty);
            return Executable.Any(e => string.Equals(e, extension, StringComparison.OrdinalIgnoreCase));
        }

        private static string Clean(string name)
        {
            if (string.IsNullOrWhiteSpace(name)) return string.Empty;
            // decoded first, so an encoded separator (%2F) is caught below like a plain one
            var decoded = Uri.UnescapeDataString(name.Trim().Trim('"'));
            var visible = ServerText.Clean(decoded, keepLineBreaks: false);
            var safe = new string(visible.Select(c => Array.IndexOf(Invalid, c) >= 0 ? '_' : c).ToArray()).Trim(' ', '.');
            if (safe.Length > MaximumLength) safe = safe.Substring(safe.Length - MaximumLength).Trim(' ', '.');
            if (safe.Length == 0) return string.Empty;

            // Windows opens the device for "nul.txt" and "CON .pdf" alike: what counts is the part before the first dot
            var dot = safe.IndexOf('.');
            var stem = (dot < 0 ? safe : safe.Substring(0, dot)).TrimEnd(' ');
            if (Reserved.IsMatch(stem)) safe = "_" + safe;

            if (IsExecutable(safe)) safe += BlockedSuffix;
            return safe;
        }

        /// <summary>
        /// The full path of <paramref name="name"/> in <paramref name="folder"/>, checked after normalisation to lie
        /// directly inside it (with the platform's comparison of names); anything else is refused.
        /// </summary>
        public static string PathIn(string folder, string name, string operation)
        {
            var root = Path.GetFullPath(folder);
            var full = Path.GetFullPath(Path.Combine(root, name));
            var parent = Path.GetDirectoryName(full);
            var comparison = RuntimeInformation.IsOSPlatform(OSPlatform.Linux) ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;
            if (parent == null || !string.Equals(parent.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar),
                    root.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar), comparison) ||
                string.IsNullOrEmpty(Path.GetFileName(full)))
            {
                throw new AltinnException(ErrorCatalogue.Id(operation, ErrorReason.BadResponse), AltinnErrorKind.SecurityError,
                    $"The file name '{ServerText.Clean(name, keepLineBreaks: false)}' would not lie inside '{root}'; nothing was written. Save to a file name of your own with -Path.");
            }

            return full;
        }
    }
}
