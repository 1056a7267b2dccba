// libtorch's random generator and thread count are process-wide: tests that train must not run at the same time,
// or seeded runs would draw from each other's generator.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
