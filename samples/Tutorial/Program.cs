using BrainTools.Tutorial;

// The braintools checkpointing tutorial, section by section, in C#. Run from any folder:
// it writes its files under ./checkpoints.
TextWriter output = Console.Out;
output.WriteLine("== Basic Checkpointing: Simple Data Structures ==");
BasicCheckpointing.Run(output);
