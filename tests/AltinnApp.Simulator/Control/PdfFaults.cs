namespace AltinnApp.Simulator.Control;

/// <summary>
/// <c>PUT /_sim/pdf-failures</c>: the next N PDF receipts fail, as when the app's PDF generator answers an error
/// (app-lib <c>PdfGeneratorClient</c> throws "Pdf generation failed"; <c>EndTaskEventHandler</c> unlocks the data again).
/// </summary>
public sealed class PdfFaults
{
    private int _remaining;

    public int Remaining => Volatile.Read(ref _remaining);

    public int Set(int count)
    {
        Interlocked.Exchange(ref _remaining, Math.Max(0, count));
        return Remaining;
    }

    /// <summary>True (and one fewer left) when this PDF is to fail.</summary>
    public bool TryTake()
    {
        while (true)
        {
            int current = Volatile.Read(ref _remaining);
            if (current <= 0) return false;
            if (Interlocked.CompareExchange(ref _remaining, current - 1, current) == current) return true;
        }
    }

    public void Reset() => Interlocked.Exchange(ref _remaining, 0);
}

public sealed record PdfFailuresUpdate(int Count);
