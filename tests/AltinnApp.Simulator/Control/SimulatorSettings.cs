namespace AltinnApp.Simulator.Control;

/// <summary>Knobs a test can turn with <c>PUT /_sim/settings</c>.</summary>
public sealed class SimulatorSettings
{
    public const int DefaultMaskinportenLifetime = 120;
    public const int DefaultAltinnLifetime = 1800;

    private readonly object _gate = new();
    private SettingsSnapshot _current = SettingsSnapshot.Defaults;

    public SettingsSnapshot Current
    {
        get { lock (_gate) return _current; }
    }

    public SettingsSnapshot Apply(SettingsUpdate update)
    {
        lock (_gate)
        {
            _current = new SettingsSnapshot(
                update.MaskinportenTokenLifetimeSeconds ?? _current.MaskinportenTokenLifetimeSeconds,
                update.AltinnTokenLifetimeSeconds ?? _current.AltinnTokenLifetimeSeconds,
                update.ProcessNextDelayMs ?? _current.ProcessNextDelayMs);
            return _current;
        }
    }

    public void Reset()
    {
        lock (_gate) _current = SettingsSnapshot.Defaults;
    }
}

public sealed record SettingsSnapshot(int MaskinportenTokenLifetimeSeconds, int AltinnTokenLifetimeSeconds, int ProcessNextDelayMs)
{
    public static readonly SettingsSnapshot Defaults =
        new(SimulatorSettings.DefaultMaskinportenLifetime, SimulatorSettings.DefaultAltinnLifetime, 0);
}

public sealed record SettingsUpdate(int? MaskinportenTokenLifetimeSeconds, int? AltinnTokenLifetimeSeconds, int? ProcessNextDelayMs);
