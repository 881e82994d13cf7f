using BrainTools.Tutorial;

// The braintools checkpointing tutorial, section by section, in C#. Run from any folder:
// it writes its files under ./checkpoints.
TextWriter output = Console.Out;

Section("Basic Checkpointing: Simple Data Structures", BasicCheckpointing.Run);
Section("Working with Templates", WorkingWithTemplates.Run);
Section("Working with BrainState Objects", BrainStateObjects.Run);
Section("Custom Object Serialization", CustomObjectSerialization.Run);
Section("Mismatch Handling", MismatchHandling.Run);
Section("Async Checkpointing", AsyncCheckpointing.Run);
Section("Working with BrainUnit Quantities", PhysicalUnits.Run);
Section("Handling Complex Nested Structures", ComplexNestedStructures.Run);
Section("Best Practices 1. Version Compatibility", VersionCompatibility.Run);
Section("Best Practices 2. Error Handling", ErrorHandling.Run);
Section("Best Practices 3. Checkpoint Validation", CheckpointValidation.Run);
Section("Best Practices 4. Regular Checkpointing During Training", TrainingLoop.Run);

void Section(string title, Action<TextWriter> run)
{
    output.WriteLine();
    output.WriteLine($"== {title} ==");
    run(output);
}
