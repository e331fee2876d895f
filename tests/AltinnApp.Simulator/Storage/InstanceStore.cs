using System.Collections.Concurrent;

namespace AltinnApp.Simulator.Storage;

public sealed class InstanceStore(BlobStore blobs)
{
    private readonly ConcurrentDictionary<Guid, SimInstance> _instances = new();

    public void Add(SimInstance instance) => _instances[instance.Guid] = instance;

    public SimInstance? Find(Guid guid) => _instances.GetValueOrDefault(guid);

    public IReadOnlyList<SimInstance> All() => _instances.Values.OrderBy(i => i.Created).ToList();

    /// <summary>Hard delete: forget the instance and its files.</summary>
    public void Remove(SimInstance instance)
    {
        _instances.TryRemove(instance.Guid, out _);
        lock (instance.Gate)
        {
            foreach (var element in instance.Data) BlobStore.Delete(element.BlobPath);
        }
    }

    public void Clear()
    {
        _instances.Clear();
        blobs.Clear();
    }
}
