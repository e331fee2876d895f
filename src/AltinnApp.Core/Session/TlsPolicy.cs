using System;
using System.Net;
using System.Net.Http;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace AltinnApp.Core.Session
{
    /// <summary>
    /// Which TLS versions the session's connections may use. On .NET (PowerShell 7) the operating system's
    /// defaults are left alone: they already exclude the old versions and take new ones as the OS gains them.
    /// On .NET Framework (Windows PowerShell 5.1) the default may still be TLS 1.0, which Altinn and
    /// Maskinporten refuse, so the session asks for TLS 1.2, and TLS 1.3 where Windows has it.
    /// </summary>
    internal static class TlsPolicy
    {
        // not named in netstandard2.0; the values are those of .NET Framework 4.8 and .NET Core 3.0+
        internal const SslProtocols Tls13 = (SslProtocols)12288;
        private const SecurityProtocolType SecurityTls13 = (SecurityProtocolType)12288;

        // Windows 11 and Windows Server 2022 are the first with TLS 1.3 in Schannel
        private const int FirstWindowsBuildWithTls13 = 20348;

        /// <summary>The protocols to ask for; <see cref="SslProtocols.None"/> means "the operating system decides".</summary>
        public static SslProtocols ProtocolsFor(string frameworkDescription, Version windowsVersion)
        {
            if (!IsNetFramework(frameworkDescription)) return SslProtocols.None;
            var protocols = SslProtocols.Tls12;
            if (windowsVersion != null && windowsVersion.Major >= 10 && windowsVersion.Build >= FirstWindowsBuildWithTls13) protocols |= Tls13;
            return protocols;
        }

        public static bool IsNetFramework(string frameworkDescription) =>
            frameworkDescription != null && frameworkDescription.StartsWith(".NET Framework", StringComparison.OrdinalIgnoreCase);

        /// <summary>Applies the policy to a handler the session is about to use.</summary>
        public static void Apply(HttpClientHandler handler) => Apply(handler, RuntimeInformation.FrameworkDescription);

        /// <summary>The same on the runtime <paramref name="frameworkDescription"/> describes.</summary>
        public static void Apply(HttpClientHandler handler, string frameworkDescription)
        {
            if (IsNetFramework(frameworkDescription)) RequireValidCertificates(handler);
            var protocols = ProtocolsFor(frameworkDescription, Environment.OSVersion.Platform == PlatformID.Win32NT ? Environment.OSVersion.Version : null);
            if (protocols == SslProtocols.None) return;
            try
            {
                SetOnHandler(handler, protocols);
            }
            catch (Exception ex) when (ex is PlatformNotSupportedException || ex is NotSupportedException || ex is MissingMethodException)
            {
                AllowProcessWide(protocols);
            }
        }

        /// <summary>The handler's own check of the server's certificate: only a certificate the system trusts, for the right name.</summary>
        internal static bool IsTrusted(HttpRequestMessage message, X509Certificate2 certificate, X509Chain chain, SslPolicyErrors errors) => errors == SslPolicyErrors.None;

        /// <summary>
        /// On .NET Framework a ServicePointManager.ServerCertificateValidationCallback set by any other script in the
        /// process (often one that accepts everything) decides for every connection. A handler's own callback comes
        /// first (4.7.1 and later), so the session's connections keep the system's verdict whatever others set.
        /// </summary>
        private static void RequireValidCertificates(HttpClientHandler handler)
        {
            try
            {
                SetCallback(handler);
            }
            catch (Exception ex) when (ex is PlatformNotSupportedException || ex is NotSupportedException || ex is MissingMethodException)
            {
                // before 4.7.1 the process-wide callback is all there is
            }
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static void SetCallback(HttpClientHandler handler) => handler.ServerCertificateCustomValidationCallback = IsTrusted;

        // .NET Framework 4.7.1 and later honour this per handler; a separate method, so that a framework without
        // the property fails at this call (and is caught above) rather than when Apply is compiled
        [MethodImpl(MethodImplOptions.NoInlining)]
        private static void SetOnHandler(HttpClientHandler handler, SslProtocols protocols) => handler.SslProtocols = protocols;

        /// <summary>
        /// Older .NET Framework reads only the process-wide setting: add TLS 1.2 (and 1.3) to it without taking
        /// anything away, so other code in the same PowerShell keeps working as before.
        /// </summary>
        private static void AllowProcessWide(SslProtocols protocols)
        {
            var wanted = SecurityProtocolType.Tls12;
            if ((protocols & Tls13) == Tls13) wanted |= SecurityTls13;
            try
            {
                ServicePointManager.SecurityProtocol |= wanted;
            }
            catch (NotSupportedException)
            {
                ServicePointManager.SecurityProtocol |= SecurityProtocolType.Tls12;
            }
        }
    }
}
