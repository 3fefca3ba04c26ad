import { StoreEngine, type StoreEngineOptions } from '../engine/store-engine.js';
import { MemoryPersistence } from './memory-persistence.js';

/**
 * The reference `MailStore`: everything in memory, nothing survives the process. For tests, for
 * trying things out, and as the model other stores are held to by the conformance kit.
 */
export class MemoryMailStore extends StoreEngine {
  constructor(options: Omit<StoreEngineOptions, 'persistence'> = {}) {
    super({ ...options, persistence: new MemoryPersistence() });
  }
}
