using System;
using System.Net;

namespace AltinnApp.Core.Session
{
    /// <summary>
    /// The -Proxy of a session, except for this machine: loopback and localtest's host name go direct. Plain http to
    /// them carries the bearer token in clear text, and a proxy has no business seeing it.
    /// </summary>
    internal sealed class LocalProxyBypass : IWebProxy
    {
        private readonly IWebProxy _inner;

        public LocalProxyBypass(IWebProxy inner)
        {
            _inner = inner ?? throw new ArgumentNullException(nameof(inner));
        }

        public ICredentials Credentials
        {
            get => _inner.Credentials;
            set => _inner.Credentials = value;
        }

        public Uri GetProxy(Uri destination) => IsLocal(destination) ? destination : _inner.GetProxy(destination);

        public bool IsBypassed(Uri host) => IsLocal(host) || _inner.IsBypassed(host);

        internal static bool IsLocal(Uri uri) =>
            uri.IsLoopback || string.Equals(uri.Host, UriRules.LocalTestHost, StringComparison.OrdinalIgnoreCase);
    }
}
