using System;
using System.IO;
using System.Management.Automation;
using System.Reflection;
using System.Runtime.ExceptionServices;

namespace AltinnApp.Init
{
    /// <summary>
    /// Where the engine and its dependencies come from. This assembly is the manifest's first nested module,
    /// so it runs before PowerShell looks at the cmdlet assembly. The engine and its dependencies live in the
    /// module's Dependencies folder, not beside the cmdlet assembly, so nothing finds them by accident:
    /// on PowerShell 7 they load into the module's own AssemblyLoadContext (AltinnApp.LoadContext.dll), so
    /// another module's version of Microsoft.IdentityModel and ours never meet; on Windows PowerShell 5.1
    /// (.NET Framework, where different versions of a strong-named assembly load side by side) they load
    /// from Dependencies/Desktop (the engine's net472 build and each dependency's .NET Framework build), for
    /// requests that come from this module, once the Framework is known to be new enough.
    /// </summary>
    public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
    {
        private const string LoadContextAssemblyFile = "AltinnApp.LoadContext.dll";
        private const string ResolverTypeName = "AltinnApp.LoadContext.EngineResolver";

        // this assembly sits in Dependencies/ itself
        private static readonly string DependencyDirectory = Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location);
        private static readonly string ModuleDirectory = Path.GetDirectoryName(DependencyDirectory) + Path.DirectorySeparatorChar;

        // .NET Framework gets its own set: the netstandard2.0 set holds placeholders that throw there
        private static readonly string DesktopDirectory = Path.Combine(DependencyDirectory, "Desktop");

        private static readonly DependencyFolderResolver FrameworkResolver = new DependencyFolderResolver(DesktopDirectory, ModuleDirectory);

        // AssemblyLoadContext lives in the core library on .NET Core 3+ and does not exist on .NET Framework
        private static readonly bool HasLoadContexts = typeof(object).Assembly.GetType("System.Runtime.Loader.AssemblyLoadContext") != null;

        // Imports in this process (each runspace imports for itself): the hooks are process-wide, so the
        // first import sets them up, and only the last Remove-Module takes them away.
        private static readonly object Gate = new object();
        private static int s_imports;

        public void OnImport()
        {
            lock (Gate)
            {
                if (s_imports == 0)
                {
                    if (HasLoadContexts)
                    {
                        InvokeResolver("Register", DependencyDirectory);
                        EngineTypeNames.Register((Assembly)InvokeResolver("LoadEngine"));
                    }
                    else
                    {
                        RequireFramework();
                        if (!File.Exists(Path.Combine(DesktopDirectory, "AltinnApp.Core.dll")))
                        {
                            throw Incomplete($"AltinnApp's installation is incomplete: '{DesktopDirectory}' holds no AltinnApp.Core.dll. Reinstall the module (Install-Module AltinnApp -Force, or Install-PSResource AltinnApp -Reinstall).", null);
                        }

                        AppDomain.CurrentDomain.AssemblyResolve += FrameworkResolver.Handle;
                    }
                }

                s_imports++;
            }
        }

        public void OnRemove(PSModuleInfo psModuleInfo)
        {
            lock (Gate)
            {
                if (s_imports == 0 || --s_imports > 0) return;
                if (HasLoadContexts)
                {
                    EngineTypeNames.Unregister();
                    InvokeResolver("Unregister");
                }
                else
                {
                    AppDomain.CurrentDomain.AssemblyResolve -= FrameworkResolver.Handle;
                }
            }
        }

        private static object InvokeResolver(string method, params object[] arguments)
        {
            var path = Path.Combine(DependencyDirectory, LoadContextAssemblyFile);
            if (!File.Exists(path))
            {
                throw Incomplete($"AltinnApp's installation is incomplete: '{path}' is missing. Reinstall the module (Install-PSResource AltinnApp -Reinstall).", null);
            }

            var resolver = Assembly.LoadFrom(path).GetType(ResolverTypeName, throwOnError: true);
            try
            {
                return resolver.GetMethod(method, BindingFlags.Public | BindingFlags.Static).Invoke(null, arguments);
            }
            catch (TargetInvocationException ex) when (ex.InnerException is FileNotFoundException missing)
            {
                throw Incomplete(missing.Message, missing);
            }
            catch (TargetInvocationException ex) when (ex.InnerException != null)
            {
                ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
                throw;
            }
        }

        private static void RequireFramework()
        {
            var problem = FrameworkRequirement.Problem(FrameworkRequirement.InstalledRelease());
            if (problem == null) return;
            var exception = new PlatformNotSupportedException(problem);
            var record = new ErrorRecord(exception, "Altinn.Import.DotNetFrameworkTooOld", ErrorCategory.NotInstalled, FrameworkRequirement.MinimumVersion);
            throw new RuntimeException(problem, exception, record);
        }

        /// <summary>A broken installation: Import-Module reports it under a stable ErrorId with what to do.</summary>
        private static RuntimeException Incomplete(string message, Exception inner)
        {
            var exception = new FileNotFoundException(message, inner);
            var record = new ErrorRecord(exception, "Altinn.Import.InstallationIncomplete", ErrorCategory.ObjectNotFound, DependencyDirectory);
            return new RuntimeException(message, exception, record);
        }
    }
}
