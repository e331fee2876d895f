using System.Globalization;

namespace AltinnApp.Core.Models
{
    /// <summary>Sizes as a person reads them, the same on every machine (invariant culture, 1 KB = 1024 bytes).</summary>
    public static class ByteSize
    {
        public static string Format(long bytes)
        {
            if (bytes < 1024) return bytes.ToString(CultureInfo.InvariantCulture) + " B";
            string[] units = { "KB", "MB", "GB", "TB" };
            double value = bytes;
            var unit = -1;
            do
            {
                value /= 1024;
                unit++;
            }
            while (value >= 1024 && unit < units.Length - 1);
            return value.ToString("0.0", CultureInfo.InvariantCulture) + " " + units[unit];
        }
    }
}
