using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Reflection;

namespace AltinnApp.Init
{
    /// <summary>
    /// On PowerShell 7 a type literal such as [AltinnApp.Core.Models.AltinnInstance] is looked up only in the
    /// default load context, and the engine lives in the module's own. Registering each public engine type
    /// under its full name as a type accelerator keeps those literals working in users' scripts (typed
    /// parameters, -is, Should -BeOfType), exactly as they would with the engine in the default context.
    /// </summary>
    internal static class EngineTypeNames
    {
        private static readonly List<string> Registered = new List<string>();

        public static void Register(Assembly engine)
        {
            var accelerators = Accelerators();
            if (accelerators == null) return;
            var existing = accelerators.GetProperty("Get", BindingFlags.Public | BindingFlags.Static)?.GetValue(null) as IDictionary;
            var add = accelerators.GetMethod("Add", new[] { typeof(string), typeof(Type) });
            if (existing == null || add == null) return;
            lock (Registered)
            {
                foreach (var type in engine.GetExportedTypes())
                {
                    if (type.IsGenericTypeDefinition || existing.Contains(type.FullName)) continue;
                    add.Invoke(null, new object[] { type.FullName, type });
                    Registered.Add(type.FullName);
                }
            }
        }

        public static void Unregister()
        {
            var remove = Accelerators()?.GetMethod("Remove", new[] { typeof(string) });
            if (remove == null) return;
            lock (Registered)
            {
                foreach (var name in Registered) remove.Invoke(null, new object[] { name });
                Registered.Clear();
            }
        }

        // PowerShell's accelerator table is not public API; without it the module still works, only the literals do not.
        private static Type Accelerators() => typeof(PSObject).Assembly.GetType("System.Management.Automation.TypeAccelerators");
    }
}
