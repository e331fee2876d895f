namespace AltinnApp.Simulator.Storage;

/// <summary>
/// Binary data element content on disk, so a large upload streams to a temporary file instead of
/// living in memory. One folder per simulator process, removed on shutdown and on reset.
/// </summary>
public sealed class BlobStore : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "altinnapp-simulator", $"{Environment.ProcessId}-{Guid.NewGuid():N}");

    public BlobStore() => Directory.CreateDirectory(_root);

    public string NewPath() => Path.Combine(_root, Guid.NewGuid().ToString("N"));

    public async Task<string> WriteAsync(byte[] content)
    {
        string path = NewPath();
        await File.WriteAllBytesAsync(path, content);
        return path;
    }

    public static Stream OpenRead(string path) =>
        new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 81920, FileOptions.Asynchronous);

    public static void Delete(string? path)
    {
        if (path is null) return;
        try { File.Delete(path); } catch (IOException) { /* a reader still has it open; the folder goes on shutdown */ }
    }

    public void Clear()
    {
        foreach (var file in Directory.EnumerateFiles(_root)) Delete(file);
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
