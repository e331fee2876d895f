using System.Collections.Generic;

namespace AltinnApp.Core.Models
{
    /// <summary>One task of an app's process (<c>api/v1/meta/process</c>), in the order the process runs through them.</summary>
    public sealed class AltinnAppTask
    {
        public AltinnAppTask(string id, string name, string taskType, IReadOnlyList<string> actions)
        {
            Id = id;
            Name = name;
            TaskType = taskType;
            Actions = actions ?? new string[0];
        }

        public string Id { get; }
        public string Name { get; }

        /// <summary><c>altinn:taskType</c>: data, confirmation, signing, payment, feedback, …</summary>
        public string TaskType { get; }

        /// <summary>The actions the process lists for the task (<c>altinn:actions</c>), as written there.</summary>
        public IReadOnlyList<string> Actions { get; }

        /// <summary>
        /// What a user does to leave the task: the action process/next is sent with for its type (app-lib
        /// <c>ProcessEngine.ConvertTaskTypeToAction</c>: confirmation → confirm, signing → sign, payment → pay), or
        /// <c>submit</c> for a task whose data is simply sent on.
        /// </summary>
        public string LeaveAction
        {
            get
            {
                switch (TaskType)
                {
                    case "confirmation": return "confirm";
                    case "signing": return "sign";
                    case "payment": return "pay";
                    default: return "submit";
                }
            }
        }

        /// <summary><c>Task_2 confirmation (confirm)</c>, the shape the application view lists.</summary>
        public override string ToString() => $"{Id} {TaskType ?? "unknown"} ({LeaveAction})";
    }
}
