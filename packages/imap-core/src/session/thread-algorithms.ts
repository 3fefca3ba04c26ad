import { isReplyOrForward } from '@mailyard/mime';

/** What threading needs of a message (RFC 5256 sections 2 and 3). */
export interface ThreadMessage {
  /** The number the response shows: a sequence number or a UID. */
  readonly number: number;
  /** Sent date (the Date field, INTERNALDATE when it has none), UTC milliseconds. */
  readonly date: number;
  readonly baseSubject: string;
  readonly subject: string;
  readonly messageId: string | null;
  readonly references: readonly string[];
  readonly inReplyTo: readonly string[];
}

/** A node of a thread tree; a node without a message is a placeholder ("dummy"). */
export interface ThreadNode {
  message: ThreadMessage | null;
  parent: ThreadNode | null;
  children: ThreadNode[];
}

/** RFC 5256 2.2: by sent date, ties by number. */
function byDate(a: ThreadMessage, b: ThreadMessage): number {
  return a.date - b.date || a.number - b.number;
}

/*
 * Threads are as deep as the mail makes them: a reply chain of ten thousand messages, or one
 * message whose References name ten thousand ids. Everything here walks them with loops and
 * explicit stacks, never with recursion, so that no mailbox can overflow the call stack.
 */

/** The message a node is sorted and named by: its own, or a placeholder's first child's. */
function representative(node: ThreadNode): ThreadMessage | null {
  let at: ThreadNode | undefined = node;
  while (at && !at.message) at = at.children[0];
  return at?.message ?? null;
}

/** Every node of the trees, each after all of its descendants. */
function bottomUp(roots: readonly ThreadNode[]): ThreadNode[] {
  const preorder: ThreadNode[] = [];
  const stack = [...roots];
  while (stack.length > 0) {
    const node = stack.pop()!;
    preorder.push(node);
    // One by one: a spread of a hundred thousand children would overflow the stack itself.
    for (const child of node.children) stack.push(child);
  }
  return preorder.reverse();
}

function sortNodes(nodes: ThreadNode[]): void {
  nodes.sort((a, b) => {
    const x = representative(a);
    const y = representative(b);
    return x && y ? byDate(x, y) : 0;
  });
}

/**
 * THREAD=ORDEREDSUBJECT (RFC 5256 section 3): messages with the same base subject form a thread,
 * the earliest its parent and the others its children in date order; threads in the order of
 * their first messages.
 */
export function orderedSubjectThreads(messages: readonly ThreadMessage[]): ThreadNode[] {
  const sorted = [...messages].sort((a, b) =>
    a.baseSubject < b.baseSubject ? -1 : a.baseSubject > b.baseSubject ? 1 : byDate(a, b),
  );
  const roots: ThreadNode[] = [];
  let current: ThreadNode | null = null;
  let subject: string | null = null;
  for (const message of sorted) {
    if (current && message.baseSubject === subject) {
      current.children.push({ message, parent: current, children: [] });
    } else {
      current = { message, parent: null, children: [] };
      subject = message.baseSubject;
      roots.push(current);
    }
  }
  sortNodes(roots);
  return roots;
}

/**
 * THREAD=REFERENCES (RFC 5256 section 4): threads from References and In-Reply-To, placeholders
 * for messages referred to but absent, pruned; then threads whose first messages share a base
 * subject merged; siblings in date order.
 */
export function referencesThreads(messages: readonly ThreadMessage[]): ThreadNode[] {
  const byId = new Map<string, ThreadNode>();
  const container = (id: string): ThreadNode => {
    let node = byId.get(id);
    if (!node) byId.set(id, (node = { message: null, parent: null, children: [] }));
    return node;
  };
  const isAncestor = (ancestor: ThreadNode, node: ThreadNode): boolean => {
    // A node without children is nobody's ancestor: no walk up a long chain to learn that.
    if (ancestor !== node && ancestor.children.length === 0) return false;
    for (let at: ThreadNode | null = node; at; at = at.parent) if (at === ancestor) return true;
    return false;
  };
  const link = (parent: ThreadNode, child: ThreadNode) => {
    if (child.parent) child.parent.children = child.parent.children.filter((c) => c !== child);
    child.parent = parent;
    parent.children.push(child);
  };
  const unique = new Set<string>();
  for (const message of [...messages].sort((a, b) => a.number - b.number)) {
    // (1A) A missing or repeated Message-ID gets an id of its own.
    let id = message.messageId;
    if (id === null || unique.has(id)) id = `\0${message.number}`;
    unique.add(id);
    const node = container(id);
    node.message = message;
    // (1B) The references link up in order, where no link exists and no loop forms.
    const refs = message.references.length > 0 ? message.references : message.inReplyTo.slice(0, 1);
    let previous: ThreadNode | null = null;
    for (const ref of refs) {
      const current = container(ref);
      if (previous && !current.parent && previous !== current && !isAncestor(current, previous)) {
        link(previous, current);
      }
      previous = current;
    }
    // (1C) The message's parent is its last reference. A parent it has already came from an
    // earlier message's References (probably truncated): that link goes first, even when the
    // new one cannot be made because it would form a loop.
    if (node.parent && node.parent !== previous) {
      node.parent.children = node.parent.children.filter((c) => c !== node);
      node.parent = null;
    }
    if (previous && !node.parent && previous !== node && !isAncestor(node, previous)) {
      link(previous, node);
    }
  }
  // (2) The root set, (4) pruned of placeholders.
  let roots = [...new Set([...byId.values()].filter((node) => !node.parent))];
  // A placeholder gives way to its children, except at the top with several (kept to hold them).
  const pruned = (node: ThreadNode, atRoot: boolean): ThreadNode[] => {
    if (node.message) return [node];
    if (atRoot && node.children.length > 1) return [node];
    return node.children;
  };
  for (const node of bottomUp(roots)) {
    node.children = node.children.flatMap((child) => pruned(child, false));
    for (const child of node.children) child.parent = node;
  }
  roots = roots.flatMap((root) => pruned(root, true));
  for (const root of roots) root.parent = null;
  // (5) Top-level order, a placeholder by its first child.
  for (const root of roots) if (!root.message) sortNodes(root.children);
  sortNodes(roots);
  // (6) Threads whose roots share a base subject are merged.
  const subjectOf = (node: ThreadNode) => representative(node)?.baseSubject ?? '';
  const table = new Map<string, ThreadNode>();
  for (const root of roots) {
    const subject = subjectOf(root);
    if (subject === '') continue;
    const existing = table.get(subject);
    if (
      !existing ||
      (!root.message && existing.message) ||
      (existing.message &&
        root.message &&
        isReplyOrForward(existing.message.subject) &&
        !isReplyOrForward(root.message.subject))
    ) {
      table.set(subject, root);
    }
  }
  const merged: ThreadNode[] = [];
  for (const root of roots) {
    const subject = subjectOf(root);
    const target = subject === '' ? undefined : table.get(subject);
    if (!target || target === root) {
      merged.push(root);
      continue;
    }
    if (!target.message && !root.message) {
      for (const child of root.children) link(target, child);
    } else if (!target.message) {
      link(target, root);
    } else if (
      root.message &&
      isReplyOrForward(root.message.subject) &&
      !isReplyOrForward(target.message.subject)
    ) {
      link(target, root);
    } else {
      // Neither is the other's parent: both go under a new placeholder, where the target was.
      const holder: ThreadNode = { message: null, parent: null, children: [] };
      const at = merged.indexOf(target);
      link(holder, target);
      link(holder, root);
      if (at >= 0) merged[at] = holder;
      else merged.push(holder);
      table.set(subject, holder);
    }
  }
  // (7) Siblings at every level below the root in date order, the deepest first (a
  // placeholder's place depends on its first child's).
  for (const node of bottomUp(merged)) sortNodes(node.children);
  return merged;
}

/** A thread tree as THREAD's response writes it (RFC 5256 section 4): `(3 6 (4 23)(44 7 96))`. */
export function formatThreads(roots: readonly ThreadNode[]): string {
  return roots.map((root) => `(${members(root)})`).join('');
}

/** `3 6 (4 23)(44 7 96)`: a message, then its only child, or each of its children in parentheses. */
function members(root: ThreadNode): string {
  const out: string[] = [];
  // What is left to write, last first: nodes, and the parentheses around them.
  const pending: (ThreadNode | string)[] = [root];
  while (pending.length > 0) {
    const next = pending.pop()!;
    if (typeof next === 'string') {
      out.push(next);
      continue;
    }
    if (next.message) {
      if (next.children.length === 0) {
        out.push(String(next.message.number));
        continue;
      }
      out.push(`${next.message.number} `);
      if (next.children.length === 1) {
        pending.push(next.children[0]!);
        continue;
      }
    }
    for (let i = next.children.length - 1; i >= 0; i--) pending.push(')', next.children[i]!, '(');
  }
  return out.join('');
}
