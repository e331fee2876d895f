using System;
using System.IO;
using System.Management.Automation;
using System.Text;
using AltinnApp.Core;
using AltinnApp.Core.Files;
using AltinnApp.Core.Auth;
using AltinnApp.PowerShell.Infrastructure;

namespace AltinnApp.PowerShell.Cmdlets
{
    /// <summary>What New-AltinnSigningKey made: where the private key is, and the public JWK to register.</summary>
    public sealed class AltinnSigningKeyInfo
    {
        internal AltinnSigningKeyInfo(string keyId, int keySize, PrivateKeyFormat format, string path, string publicJwk)
        {
            KeyId = keyId;
            KeySize = keySize;
            Format = format;
            Path = path;
            PublicJwk = publicJwk;
        }

        /// <summary>The kid: the public JWK carries it, and Connect-Altinn -KeyId takes it for a PEM key.</summary>
        public string KeyId { get; }

        public int KeySize { get; }

        public PrivateKeyFormat Format { get; }

        /// <summary>The private key file (readable by the current user only).</summary>
        public string Path { get; }

        /// <summary>The public JWK (JSON) to register with the Maskinporten client.</summary>
        public string PublicJwk { get; }

        public override string ToString() => PublicJwk;
    }

    [Cmdlet(VerbsCommon.New, "AltinnSigningKey", SupportsShouldProcess = true)]
    [OutputType(typeof(AltinnSigningKeyInfo))]
    public sealed class NewAltinnSigningKeyCommand : AltinnCmdlet
    {
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; }

        /// <summary>Jwk or Pem; by default Pem for a .pem or .key file and Jwk otherwise.</summary>
        [Parameter]
        public PrivateKeyFormat? Format { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string KeyId { get; set; }

        [Parameter]
        [ValidateSet("2048", "3072", "4096")]
        public int KeySize { get; set; } = 2048;

        [Parameter]
        public SwitchParameter Force { get; set; }

        protected override void ProcessRecord()
        {
            var path = ResolvePath(Path);
            var format = Format ?? FormatFor(path);
            try
            {
                if (Directory.Exists(path))
                {
                    throw new AltinnArgumentException("Altinn.SigningKey.PathIsFolder",
                        $"'{path}' is a folder. Give the path of the file to write the private key to, for example {System.IO.Path.Combine(path, "maskinporten.jwk.json")}.");
                }

                if (File.Exists(path) && !Force)
                {
                    throw new AltinnException("Altinn.SigningKey.FileExists", AltinnErrorKind.WriteError,
                        $"'{path}' already exists and was left as it is: it may be the key a Maskinporten client is registered with. Use -Force to replace it, or give another -Path.");
                }

                if (!ShouldProcess(path, $"Write a new {KeySize}-bit RSA private key ({format})")) return;

                // ~/.altinn/key.json on a new machine: the folder is made, for the owner alone, rather than refused
                var folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
                if (!Directory.Exists(folder))
                {
                    OwnerOnlyFile.CreateFolder(folder, this, "SigningKey");
                    WriteVerbose($"Created the folder '{folder}', open to the current user only.");
                }

                using (var key = KeyGenerator.Create(KeySize, KeyId))
                {
                    var bytes = new UTF8Encoding(false).GetBytes(key.PrivateKeyText(format));
                    try
                    {
                        AtomicFile.WriteSecret(path, Force, bytes, file => OwnerOnlyFile.Restrict(file, this));
                    }
                    finally
                    {
                        Array.Clear(bytes, 0, bytes.Length); // the text itself is a string, which cannot be cleared
                    }

                    WriteVerbose($"Wrote the private key '{key.KeyId}' to {path}, readable by the current user only. Register the public JWK with the Maskinporten client.");
                    if (format == PrivateKeyFormat.Pem)
                    {
                        WriteVerbose($"A PEM file has no key id: connect with Connect-Altinn -PrivateKeyPath '{path}' -KeyId '{key.KeyId}'.");
                    }

                    WriteObject(new AltinnSigningKeyInfo(key.KeyId, key.KeySize, format, path, key.PublicJwk));
                }
            }
            catch (AltinnException ex)
            {
                ThrowTerminatingError(ErrorRecordFor(ex, path));
            }
        }

        private static PrivateKeyFormat FormatFor(string path)
        {
            var extension = System.IO.Path.GetExtension(path) ?? string.Empty;
            return extension.Equals(".pem", StringComparison.OrdinalIgnoreCase) || extension.Equals(".key", StringComparison.OrdinalIgnoreCase)
                ? PrivateKeyFormat.Pem
                : PrivateKeyFormat.Jwk;
        }
    }
}
