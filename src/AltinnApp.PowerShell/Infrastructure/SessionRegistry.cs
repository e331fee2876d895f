using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;
using AltinnApp.Core.Session;

namespace AltinnApp.PowerShell.Infrastructure
{
    /// <summary>
    /// The current session of each runspace. Per runspace, not per process: ForEach-Object -Parallel
    /// and two scripts in one host each keep their own unless they pass -Session.
    /// </summary>
    internal static class SessionRegistry
    {
        private static readonly ConditionalWeakTable<Runspace, StrongBox<AltinnSession>> Sessions = new ConditionalWeakTable<Runspace, StrongBox<AltinnSession>>();

        public static AltinnSession Current
        {
            get
            {
                var runspace = Runspace.DefaultRunspace;
                if (runspace == null) return null;
                return Sessions.TryGetValue(runspace, out var box) ? box.Value : null;
            }

            set
            {
                var runspace = Runspace.DefaultRunspace;
                if (runspace == null) return;
                Sessions.GetValue(runspace, _ => new StrongBox<AltinnSession>()).Value = value;
            }
        }
    }
}
