import { describeMailStoreConformance } from '../src/conformance/index.js';
import { MemoryMailStore } from '../src/index.js';

describeMailStoreConformance('MemoryMailStore', (context) => new MemoryMailStore(context));
