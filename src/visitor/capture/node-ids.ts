/**
 * Stable integer ids for the nodes of the captured page ([PS2]).
 *
 * Ids are handed out in serialisation order and never reused within a keyframe epoch,
 * so the mirror can derive them from token order. The id → node map serves remote
 * control (agent actions name node ids); entries leave it when their node leaves the page.
 */
export class NodeIds {
  private readonly idOf = new WeakMap<Node, number>();
  private readonly nodeOf = new Map<number, Node>();
  private next = 1;

  /** The id the next new node will get. */
  get nextId(): number {
    return this.next;
  }

  /** The node's id, or undefined when the mirror does not know it. */
  get(node: Node): number | undefined {
    return this.idOf.get(node);
  }

  /** Gives the node the next id. */
  assign(node: Node): number {
    const id = this.next++;
    this.idOf.set(node, id);
    this.nodeOf.set(id, node);
    return id;
  }

  /** The node with this id, if it is still known. */
  node(id: number): Node | undefined {
    return this.nodeOf.get(id);
  }

  /** Forgets a node and everything below it (children, shadow roots, iframe documents). */
  forgetSubtree(root: Node): void {
    const stack: Node[] = [root];
    while (stack.length > 0) {
      const node = stack.pop()!;
      const id = this.idOf.get(node);
      if (id === undefined) continue; // unknown nodes have no known descendants
      this.idOf.delete(node);
      if (this.nodeOf.get(id) === node) this.nodeOf.delete(id);
      for (let child = node.firstChild; child; child = child.nextSibling) stack.push(child);
      const shadow = (node as Element).shadowRoot;
      if (shadow) stack.push(shadow);
      const frameDoc = frameDocument(node);
      if (frameDoc) stack.push(frameDoc);
    }
  }

  /** Every known node, in id order. */
  nodes(): IterableIterator<Node> {
    return this.nodeOf.values();
  }

  /** Number of nodes currently known. */
  get size(): number {
    return this.nodeOf.size;
  }
}

/** The same-origin document inside an <iframe>/<frame>, or null. Never throws. */
export function frameDocument(node: Node): Document | null {
  const name = (node as Element).localName;
  if (name !== 'iframe' && name !== 'frame') return null;
  try {
    return (node as HTMLIFrameElement).contentDocument;
  } catch {
    return null;
  }
}
