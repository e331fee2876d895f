using System;
using System.Security.Cryptography;

namespace AltinnApp.Core.Auth
{
    /// <summary>Overwrites key material once it has been used, so it does not linger in memory until the collector runs.</summary>
    internal static class Secrets
    {
        public static void Clear(RSAParameters parameters)
        {
            Clear(parameters.D);
            Clear(parameters.P);
            Clear(parameters.Q);
            Clear(parameters.DP);
            Clear(parameters.DQ);
            Clear(parameters.InverseQ);
        }

        public static void Clear(byte[] bytes)
        {
            if (bytes != null) Array.Clear(bytes, 0, bytes.Length);
        }
    }
}
