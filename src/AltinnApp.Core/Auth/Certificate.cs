using System;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace AltinnApp.Core.Auth
{
    internal static class Certificate
    {
        // X509KeyStorageFlags.EphemeralKeySet (.NET Core 2.0+, .NET Framework 4.7.2+): the private key never touches the disk
        private const X509KeyStorageFlags EphemeralKeySet = (X509KeyStorageFlags)32;

        public static string Describe(X509Certificate2 certificate) =>
            $"'{certificate.Subject}' (thumbprint {certificate.Thumbprint}, valid {certificate.NotBefore.ToUniversalTime().ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)} to {certificate.NotAfter.ToUniversalTime().ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)})";

        public static void RequireUsable(X509Certificate2 certificate, string source)
        {
            var now = DateTime.Now;
            if (certificate.NotAfter < now)
            {
                throw new AltinnArgumentException("Altinn.Certificate.Expired",
                    $"The certificate {Describe(certificate)} from {source} expired on {certificate.NotAfter.ToUniversalTime():u}. Renew the business certificate and register the new one with the Maskinporten client.");
            }

            if (certificate.NotBefore > now)
            {
                throw new AltinnArgumentException("Altinn.Certificate.NotYetValid",
                    $"The certificate {Describe(certificate)} from {source} is not valid before {certificate.NotBefore.ToUniversalTime():u}. Use a certificate that is valid now, or check this machine's clock.");
            }

            if (!certificate.HasPrivateKey)
            {
                throw new AltinnArgumentException("Altinn.Certificate.NoPrivateKey",
                    $"The certificate {Describe(certificate)} from {source} has no private key, so it cannot sign a grant. Import the certificate together with its private key (a .pfx/.p12 file), or give the key another way.");
            }
        }

        /// <summary>The certificate's RSA private key; a key this account may not open (LocalMachine\My without rights to its key) is a clear error.</summary>
        public static RSA PrivateKey(X509Certificate2 certificate, string source)
        {
            try
            {
                return certificate.GetRSAPrivateKey();
            }
            catch (Exception ex) when (ex is CryptographicException || ex is UnauthorizedAccessException)
            {
                throw new AltinnException("Altinn.Certificate.KeyNotAccessible", AltinnErrorKind.PermissionDenied,
                    $"The private key of the certificate {Describe(certificate)} from {source} cannot be used by this account ({ex.Message.Trim().TrimEnd('.')}). " +
                    "Give the account that runs the script read access to the key (certlm.msc: All Tasks, Manage Private Keys), or import the certificate into its CurrentUser\\My.");
            }
        }

        /// <summary>Loads a PKCS#12 (.pfx/.p12) from bytes; a wrong password is a clear error.</summary>
        public static X509Certificate2 LoadPkcs12(byte[] data, System.Security.SecureString password, string source)
        {
            var flags = EphemeralKeySet;
            if (Environment.OSVersion.Platform != PlatformID.Win32NT)
            {
                // on Linux and macOS an ephemeral key set is the only kind and the flag is ignored or refused by old runtimes
                flags = X509KeyStorageFlags.DefaultKeySet;
            }

            try
            {
                var certificate = password == null ? new X509Certificate2(data, (string)null, flags) : new X509Certificate2(data, password, flags);
                return certificate;
            }
            catch (CryptographicException)
            {
                throw new AltinnArgumentException("Altinn.Certificate.CannotOpen",
                    $"The certificate from {source} could not be opened: the password is wrong, or the data is not a PKCS#12 (.pfx/.p12) file. Check -CertificatePassword and that the file holds the certificate with its private key.");
            }
        }

        /// <summary>
        /// Finds a certificate by thumbprint in CurrentUser\My, then LocalMachine\My, keeping only those that
        /// are valid now and have a private key; says what it found instead when none fits.
        /// </summary>
        public static X509Certificate2 FindByThumbprint(string thumbprint)
        {
            var wanted = new string((thumbprint ?? string.Empty).Where(Uri.IsHexDigit).ToArray()).ToUpperInvariant();
            if (wanted.Length != 40)
            {
                throw new AltinnArgumentException("Altinn.Certificate.InvalidThumbprint",
                    $"-CertificateThumbprint '{thumbprint}' is not a certificate thumbprint: it must be 40 hexadecimal characters (the SHA-1 thumbprint, as Get-ChildItem Cert:\\CurrentUser\\My shows it).");
            }

            var seen = new System.Collections.Generic.List<string>();
            foreach (var location in new[] { StoreLocation.CurrentUser, StoreLocation.LocalMachine })
            {
                X509Store store;
                try
                {
                    store = new X509Store(StoreName.My, location);
                    store.Open(OpenFlags.ReadOnly | OpenFlags.OpenExistingOnly);
                }
                catch (CryptographicException) when (Environment.OSVersion.Platform != PlatformID.Win32NT)
                {
                    continue; // the store does not exist on this machine (LocalMachine\My on Linux)
                }
                catch (Exception ex) when (ex is CryptographicException || ex is UnauthorizedAccessException)
                {
                    // named in the error below, so the fix (the account's rights, or CurrentUser\My) is said
                    seen.Add($"{location}\\My: cannot be opened by this account ({ex.Message.Trim().TrimEnd('.')})");
                    continue;
                }

                using (store)
                {
                    foreach (var candidate in store.Certificates.Find(X509FindType.FindByThumbprint, wanted, validOnly: false))
                    {
                        var now = DateTime.Now;
                        if (candidate.NotAfter < now) { seen.Add($"{location}\\My: expired on {candidate.NotAfter.ToUniversalTime():u}"); continue; }
                        if (candidate.NotBefore > now) { seen.Add($"{location}\\My: not valid before {candidate.NotBefore.ToUniversalTime():u}"); continue; }
                        if (!candidate.HasPrivateKey) { seen.Add($"{location}\\My: no private key"); continue; }
                        return candidate;
                    }
                }
            }

            var found = seen.Count == 0 ? "none was found in CurrentUser\\My or LocalMachine\\My" : "found only: " + string.Join("; ", seen);
            throw new AltinnArgumentException("Altinn.Certificate.NotFound",
                $"No usable certificate with thumbprint {wanted}: {found}. Import the certificate with its private key into CurrentUser\\My (or LocalMachine\\My) of the account the script runs as.");
        }
    }
}
