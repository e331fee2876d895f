using System;
using System.IO;
using System.Reflection;
using System.Runtime.Loader;

namespace AltinnApp.LoadContext
{
    /// <summary>
    /// Hooks the default context's Resolving event so that the cmdlet assembly's one reference, the
    /// engine (AltinnApp.Core), is served from <see cref="EngineLoadContext"/>. Everything the engine
    /// needs then resolves through that context. The cmdlet assembly calls this by reflection when the
    /// module is imported (it targets netstandard2.0, which has no AssemblyLoadContext type).
    /// </summary>
    public static class EngineResolver
    {
        public const string EngineAssemblyName = "AltinnApp.Core";

        private static readonly object Gate = new object();
        private static EngineLoadContext s_context;
        private static bool s_registered;

        /// <summary>The module's load context, once the module has been imported.</summary>
        public static AssemblyLoadContext Context => s_context;

        /// <summary>Starts serving the engine from <paramref name="dependencyDirectory"/>. Calling it again (a re-import) is harmless.</summary>
        public static void Register(string dependencyDirectory)
        {
            lock (Gate)
            {
                if (s_context == null)
                {
                    var engine = Path.Combine(dependencyDirectory, EngineAssemblyName + ".dll");
                    if (!File.Exists(engine))
                    {
                        throw new FileNotFoundException(
                            $"AltinnApp's engine is missing from '{dependencyDirectory}'. The installation is incomplete: reinstall the module (Install-PSResource AltinnApp -Reinstall).",
                            engine);
                    }

                    s_context = new EngineLoadContext(dependencyDirectory, EngineLoadContext.ReadPlatformAssemblies());
                }

                if (!s_registered)
                {
                    AssemblyLoadContext.Default.Resolving += ResolveEngine;
                    s_registered = true;
                }
            }
        }

        /// <summary>The engine assembly, loaded in the module's context (for the type names PowerShell should know).</summary>
        public static Assembly LoadEngine()
        {
            var context = s_context ?? throw new InvalidOperationException("Register the dependency folder first.");
            return context.LoadFromAssemblyName(new AssemblyName(EngineAssemblyName));
        }

        /// <summary>Stops answering for the engine (Remove-Module). What is loaded stays loaded: .NET cannot unload it.</summary>
        public static void Unregister()
        {
            lock (Gate)
            {
                if (!s_registered) return;
                AssemblyLoadContext.Default.Resolving -= ResolveEngine;
                s_registered = false;
            }
        }

        private static Assembly ResolveEngine(AssemblyLoadContext requestingContext, AssemblyName name) => Answer(s_context, name);

        /// <summary>
        /// The default context's question, answered: the engine from the module's context, else null. Only the
        /// engine: answering for its dependencies here would put them in the default context, which is exactly
        /// what the module's own context is for avoiding. The event names no requesting assembly, but the
        /// engine's name is the module's alone. It never throws: an exception in a Resolving handler would
        /// replace the asker's own load error with ours, so a failure to load means "not ours".
        /// </summary>
        internal static Assembly Answer(AssemblyLoadContext context, AssemblyName name)
        {
            if (context == null || name == null || !string.Equals(name.Name, EngineAssemblyName, StringComparison.OrdinalIgnoreCase)) return null;
            try
            {
                var engine = context.LoadFromAssemblyName(name);
                // a custom context may hand back an older version than asked for; the default context must not take it
                return name.Version != null && engine.GetName().Version < name.Version ? null : engine;
            }
            catch (Exception ex) when (ex is IOException || ex is BadImageFormatException || ex is ArgumentException || ex is UnauthorizedAccessException)
            {
                return null;
            }
        }
    }
}
