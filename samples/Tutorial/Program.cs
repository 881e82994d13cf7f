using BrainTools.Tutorial;

// The braintools checkpointing tutorial, section by section, in C#. Run from any folder:
// it writes its files under ./checkpoints.
TextWriter output = Console.Out;

Section("Basic Checkpointing: Simple Data Structures", BasicCheckpointing.Run);
Section("Async Checkpointing", AsyncCheckpointing.Run);
Section("Regular Checkpointing During Training", TrainingLoop.Run);

void Section(string title, Action<TextWriter> run)
{
    output.WriteLine();
    output.WriteLine($"== {title} ==");
    run(output);
}
