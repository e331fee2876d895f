namespace AltinnApp.Core.Session
{
    /// <summary>An object that remembers the session it was read with, so a pipeline stays on it.</summary>
    public interface ISessionBound
    {
        AltinnSession Session { get; }

        void Bind(AltinnSession session);
    }
}
