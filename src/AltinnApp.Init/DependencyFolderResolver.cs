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

        public Assembly Handle(object sender, ResolveEventArgs args)
        {
            var path = Find(new AssemblyName(args.Name), LocationOf(args.RequestingAssembly));
            return path == null ? null : Assembly.LoadFrom(path);
        }

        /// <summary>
        /// The shipped file for a request from this module (or from a requester .NET does not name), else null.
        /// <paramref name="requesterLocation"/> is null when the requester is unknown, empty when it has no file.
        /// </summary>
        public string Find(AssemblyName requested, string requesterLocation)
        {
            if (requesterLocation != null && !requesterLocation.StartsWith(_moduleDirectory, StringComparison.OrdinalIgnoreCase)) return null;
            var path = Path.Combine(_dependencyDirectory, requested.Name + ".dll");
            if (!File.Exists(path)) return null;
            var shipped = AssemblyName.GetAssemblyName(path);
            // binding-redirect style: an older version than we ship is ours to answer, a newer one is not
            if (requested.Version != null && shipped.Version < requested.Version) return null;
            return path;
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
