import { MemoryMailStore, MemoryPersistence, StoreEngine } from '@mailyard/mailstore-interface';
import { FailingReads, describeMailStoreConformance } from '../src/index.js';

// The kit held to the reference implementation: every check passes against MemoryMailStore.
describeMailStoreConformance('MemoryMailStore', (context) => new MemoryMailStore(context));

// The same engine and memory, with a switch that makes reads fail: a "reopened" store is a new
// engine (nothing cached) over the same memory, so the kit can check durability and that a store
// whose reads fail for a while loses nothing.
const persistences = new WeakMap<object, FailingReads>();

describeMailStoreConformance(
  'StoreEngine over MemoryPersistence, with failing reads',
  (context) => {
    const persistence = new FailingReads(new MemoryPersistence());
    const store = new StoreEngine({ ...context, persistence });
    persistences.set(store, persistence);
    return store;
  },
  {
    reopen: async (store, context) => {
      const persistence = persistences.get(store)!;
      await store.close();
      const reopened = new StoreEngine({ ...context, persistence });
      persistences.set(reopened, persistence);
      return reopened;
    },
    failReads: (store) => {
      const persistence = persistences.get(store)!;
      persistence.failing = true;
      return () => {
        persistence.failing = false;
      };
    },
  },
);
