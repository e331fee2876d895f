using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
using System.Runtime.Loader;

namespace AltinnApp.LoadContext
{
    /// <summary>
    /// The module's own load context. The engine and every assembly it ships in the Dependencies folder
    /// load here, so another module's Microsoft.IdentityModel (or Polly, or any other shared library) in
    /// the default context can neither break AltinnApp nor be broken by it. Assemblies the runtime itself
    /// provides in the same or a newer version (System.Text.Json, System.Memory, …) are left to the default
    /// context: loading our netstandard copies would only make a second, older System.Text.Json.
    /// </summary>
    public sealed class EngineLoadContext : AssemblyLoadContext
    {
        private readonly string _directory;
        private readonly IReadOnlyDictionary<string, string> _platformAssemblies;
        private readonly Dictionary<string, Version> _platformVersions = new Dictionary<string, Version>(StringComparer.OrdinalIgnoreCase);

        /// <param name="directory">The folder with the engine and its dependencies.</param>
        /// <param name="platformAssemblies">Simple name to path of what the runtime provides (its trusted platform assemblies).</param>
        public EngineLoadContext(string directory, IReadOnlyDictionary<string, string> platformAssemblies)
            : base("AltinnApp", isCollectible: false)
        {
            _directory = directory ?? throw new ArgumentNullException(nameof(directory));
            _platformAssemblies = platformAssemblies ?? throw new ArgumentNullException(nameof(platformAssemblies));
        }

        public string Directory => _directory;

        protected override Assembly Load(AssemblyName assemblyName)
        {
            var path = Path.Combine(_directory, assemblyName.Name + ".dll");
            if (!File.Exists(path)) return null; // not ours to ship: the framework or the host supplies it
            if (RuntimeProvides(assemblyName, path)) return null;
            return LoadFromAssemblyPath(path);
        }

        /// <summary>True when the runtime has its own copy at least as new as the one asked for (or, with no version asked, as ours).</summary>
        internal bool RuntimeProvides(AssemblyName requested, string shippedPath)
        {
            if (!_platformAssemblies.TryGetValue(requested.Name, out var platformPath)) return false;
            Version platformVersion;
            lock (_platformVersions)
            {
                if (!_platformVersions.TryGetValue(requested.Name, out platformVersion))
                {
                    platformVersion = VersionOf(platformPath);
                    _platformVersions[requested.Name] = platformVersion;
                }
            }

            if (platformVersion == null) return false;
            var wanted = requested.Version ?? VersionOf(shippedPath) ?? new Version(0, 0);
            return platformVersion >= wanted;
        }

        private static Version VersionOf(string path)
        {
            try
            {
                return AssemblyName.GetAssemblyName(path).Version;
            }
            catch (Exception ex) when (ex is IOException || ex is BadImageFormatException || ex is UnauthorizedAccessException)
            {
                return null; // unreadable: treat as absent rather than fail the load
            }
        }

        /// <summary>The runtime's trusted platform assemblies, by simple name (the host's own and the shared framework's).</summary>
        public static IReadOnlyDictionary<string, string> ReadPlatformAssemblies()
        {
            var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            var list = AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string;
            if (string.IsNullOrEmpty(list)) return map;
            foreach (var path in list.Split(new[] { Path.PathSeparator }, StringSplitOptions.RemoveEmptyEntries))
            {
                var name = Path.GetFileNameWithoutExtension(path);
                if (!map.ContainsKey(name)) map[name] = path;
            }

            return map;
        }
    }
}
