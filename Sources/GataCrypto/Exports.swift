// Keccak-256, Hash32 and Hex live in GataKeccak, which has no C dependencies so that GataJobs
// (and the GPU cross-check tool built from it alone) can hash outputs; GataCrypto re-exports them.
@_exported import GataKeccak
