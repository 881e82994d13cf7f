// torch.manual_seed sets one process-wide generator: tests that draw weights from a seed must not interleave.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
