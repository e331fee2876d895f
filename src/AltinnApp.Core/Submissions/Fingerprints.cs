using System;
using System.Globalization;
using System.IO;
using System.Security.Cryptography;
using System.Text;
using AltinnApp.Core.Api;

namespace AltinnApp.Core.Submissions
{
    /// <summary>
    /// What the journal keeps instead of the data itself (it holds no personal data): SHA-256 of the form data as sent,
    /// and of each file's bytes, so a rerun can tell whether it brings what the key was begun with.
    /// </summary>
    public static class Fingerprints
    {
        public static string Of(FormDataPayload payload)
        {
            if (payload == null) throw new ArgumentNullException(nameof(payload));
            using (var sha = SHA256.Create())
            {
                return Format(sha.ComputeHash(Encoding.UTF8.GetBytes(payload.ContentType + "\n" + payload.Text)));
            }
        }

        public static string OfFile(string path)
        {
            try
            {
                using (var sha = SHA256.Create())
                using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, FileOptions.SequentialScan))
                {
                    return Format(sha.ComputeHash(stream));
                }
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                throw new AltinnException("Altinn.AddAttachment.CannotReadFile", AltinnErrorKind.ReadError,
                    $"The file '{path}' cannot be read: {ex.Message} Nothing was uploaded; check the file and its permissions.");
            }
        }

        private static string Format(byte[] hash)
        {
            var hex = new StringBuilder("sha256:", 7 + hash.Length * 2);
            foreach (var b in hash) hex.Append(b.ToString("x2", CultureInfo.InvariantCulture));
            return hex.ToString();
        }
    }
}
