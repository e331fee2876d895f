using System;
using System.IO;
using System.Reflection;

namespace AltinnApp.Init
{
    /// <summary>
    /// Windows PowerShell 5.1 (.NET Framework): serves the module's own assemblies the dependencies it ships,
    /// from the Dependencies folder, and leaves every other request alone. Different versions of a
    /// strong-named assembly load side by side there, so another module's Microsoft.IdentityModel is no
    /// conflict; what matters is not to answer requests that are not ours. Nothing here touches PowerShell.
    /// </summary>
    internal sealed class DependencyFolderResolver
    {
        private readonly string _dependencyDirectory;
        private readonly string _moduleDirectory;

        public DependencyFolderResolver(string dependencyDirectory, string moduleDirectory)
        {
            _dependencyDirectory = dependencyDirectory;
            _moduleDirectory = moduleDirectory.EndsWith(Path.DirectorySeparatorChar.ToString(), StringComparison.Ordinal)
                ? moduleDirectory
                : moduleDirectory + Path.DirectorySeparatorChar;
        }

        /// <summary>
        /// The AssemblyResolve handler. It never throws: an exception here would replace the load error of
        /// whoever asked (this module or any other) with ours, so anything that goes wrong means "not ours".
        /// </summary>
        public Assembly Handle(object sender, ResolveEventArgs args)
        {
            try
            {
                var path = Find(new AssemblyName(args.Name), LocationOf(args.RequestingAssembly));
                return path == null ? null : Assembly.LoadFrom(path);
            }
            catch (Exception ex) when (ex is IOException || ex is BadImageFormatException || ex is ArgumentException
                                       || ex is UnauthorizedAccessException || ex is System.Security.SecurityException || ex is NotSupportedException)
            {
                return null;
            }
        }

        /// <summary>
        /// The shipped file for a request from this module's own assemblies, else null. A request .NET gives no
        /// requester for (Type.GetType, deserialisation) is answered only for the module's own AltinnApp.*
        /// assemblies, whose names no one else uses; a dependency asked for that way may be another module's.
        /// <paramref name="requesterLocation"/> is null when the requester is unknown, empty when it has no file.
        /// </summary>
        public string Find(AssemblyName requested, string requesterLocation)
        {
            if (requested == null || string.IsNullOrEmpty(requested.Name)) return null;
            if (requesterLocation == null)
            {
                if (!requested.Name.StartsWith("AltinnApp.", StringComparison.OrdinalIgnoreCase)) return null;
            }
            else if (!requesterLocation.StartsWith(_moduleDirectory, StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }

            // a culture's resources, or a name with a path in it, is never one of our files
            if (requested.Name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || requested.Name.EndsWith(".resources", StringComparison.OrdinalIgnoreCase)) return null;
            var path = Path.Combine(_dependencyDirectory, requested.Name + ".dll");
            if (!File.Exists(path)) return null;
            AssemblyName shipped;
            try
            {
                shipped = AssemblyName.GetAssemblyName(path);
            }
            catch (Exception ex) when (ex is IOException || ex is BadImageFormatException || ex is UnauthorizedAccessException || ex is System.Security.SecurityException)
            {
                return null; // unreadable or not an assembly: not ours to offer
            }

            // binding-redirect style: an older version than we ship is ours to answer, a newer one is not
            if (requested.Version != null && shipped.Version < requested.Version) return null;
            // a strong-named request is ours only if we ship that name's key
            var wantedToken = requested.GetPublicKeyToken();
            if (wantedToken != null && wantedToken.Length > 0 && !SameToken(wantedToken, shipped.GetPublicKeyToken())) return null;
            return path;
        }

        private static bool SameToken(byte[] wanted, byte[] shipped)
        {
            if (shipped == null || shipped.Length != wanted.Length) return false;
            for (var i = 0; i < wanted.Length; i++)
            {
                if (wanted[i] != shipped[i]) return false;
            }

            return true;
        }

        private static string LocationOf(Assembly assembly)
        {
            if (assembly == null) return null;
            try
            {
                return assembly.Location ?? string.Empty;
            }
            catch (NotSupportedException)
            {
                return string.Empty; // a dynamic assembly: no file, so not ours
            }
        }
    }
}
