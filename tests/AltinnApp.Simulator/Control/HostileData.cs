using System.Collections.Concurrent;
using AltinnApp.Simulator.Models;

namespace AltinnApp.Simulator.Control;

/// <summary>
/// <c>PUT /_sim/hostile-data</c>: a server that lies about its data elements. Each entry disguises one real element
/// (by its GUID) wherever the simulator shows it (instance JSON, data element JSON) with the crafted id, data type,
/// filename, size or scan result given, and its download sends <see cref="HostileElement.ExtraBytes"/> more bytes
/// than it holds. The module must treat all of it as untrusted. Kept per element GUID, so simulators in one process
/// (the xunit host) never see each other's entries.
/// </summary>
public static class HostileData
{
    private static readonly ConcurrentDictionary<Guid, HostileElement> Elements = new();

    public static int Set(HostileDataUpdate update)
    {
        foreach (var element in update.Elements) Elements[element.Element] = element;
        return Elements.Count;
    }

    public static void Clear() => Elements.Clear();

    public static HostileElement? For(Guid element) => Elements.TryGetValue(element, out var hostile) ? hostile : null;

    /// <summary>The element as the hostile server shows it: the crafted fields in place of the real ones.</summary>
    public static DataElement Disguise(Guid id, DataElement view)
    {
        if (For(id) is not { } hostile) return view;
        if (hostile.Id is not null) view.Id = hostile.Id;
        if (hostile.DataType is not null) view.DataType = hostile.DataType;
        if (hostile.Filename is not null) view.Filename = hostile.Filename;
        if (hostile.FileScanResult is not null) view.FileScanResult = hostile.FileScanResult;
        if (hostile.Size is long size) view.Size = size;
        return view;
    }
}

public sealed class HostileDataUpdate
{
    public List<HostileElement> Elements { get; set; } = [];
}

public sealed class HostileElement
{
    /// <summary>The real element to disguise.</summary>
    public Guid Element { get; set; }
    public string? Id { get; set; }
    public string? DataType { get; set; }
    public string? Filename { get; set; }
    public string? FileScanResult { get; set; }
    public long? Size { get; set; }

    /// <summary>Bytes (<c>A</c>) sent after the element's content on download, beyond what its size says.</summary>
    public long ExtraBytes { get; set; }
}
