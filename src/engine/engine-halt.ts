/**
 * Stops the engine where it is thrown: it is not a step's failure, so no step records it,
 * retries or logs it; it reaches whoever called the engine. A checkpoint
 * (EngineOptions.checkpoint) throws one to stop the node at that point as a killed service
 * worker would stop; what the database holds then is what the next life starts from.
 */
export class EngineHalt extends Error {
  override name = 'EngineHalt';
}
