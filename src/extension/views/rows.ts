// The explorer's rows and the stable tree behind each view. No `vscode` import: the view modules
// compute plain `Row` trees from the live cluster (views/*.ts), `TreeState` merges each new tree into
// long-lived element objects and says which of them changed, and tree.ts only turns elements into
// TreeItems. VS Code keys a tree's elements by object identity and TreeItem.id: keeping both stable
// across refreshes (and firing only the elements that changed) keeps the expanded state, the
// selection and the scroll position, so nothing flickers when a pod changes.
import type { ResourceRef } from '../live.ts';

/** A codicon id and a theme colour id. */
export interface Icon {
  id: string;
  color?: string;
}

export interface Row {
  /** Unique among its siblings; the element's id is the path of these from the root. */
  id: string;
  label: string;
  /** The object's name (the node commands read `element.row.name`). */
  name?: string;
  description?: string;
  tooltip?: string;
  icon?: Icon;
  /** `k8s.<Kind>` with space-separated flags (`k8s.Node unschedulable`), or a group's own value. */
  contextValue?: string;
  /** The object the row stands for (commands and menus act on it). */
  ref?: ResourceRef;
  /** What a click shows in the details panel, when not `ref` (an Event shows its object). */
  show?: ResourceRef;
  children?: Row[];
  /** Expanded at first (VS Code then remembers what the user did, by id). Default collapsed. */
  expanded?: boolean;
}

/** One element of a view: the same object for the same id for as long as the row exists. */
export interface TreeNode {
  readonly id: string;
  row: Row;
  /** The ref commands receive (`refOf(element)` reads it). */
  ref?: ResourceRef;
  children: TreeNode[];
  parent?: TreeNode;
  /** The row's signature when it was merged (compared with the next row's). */
  sig: string;
}

const refSig = (r: ResourceRef | undefined) => (r ? `${r.apiVersion}|${r.kind}|${r.namespace ?? ''}|${r.name}|${r.uid ?? ''}` : '');

/** What a row shows, without its children: a change of any of these redraws the row. */
function signature(r: Row): string {
  return [r.label, r.description ?? '', r.tooltip ?? '', r.icon?.id ?? '', r.icon?.color ?? '', r.contextValue ?? '', refSig(r.ref), refSig(r.show), r.children?.length ? '1' : '0'].join('\u0000');
}

const childId = (parent: string | undefined, id: string) => (parent === undefined ? id : `${parent}/${id}`);

/**
 * The elements of one view across refreshes. `update(rows)` returns `'all'` when the roots changed
 * (VS Code then asks for everything again, ids keep the state), or the elements to refresh: those
 * whose row or list of children changed, without the descendants of an element already in the list.
 */
export class TreeState {
  private roots: TreeNode[] = [];
  private byId = new Map<string, TreeNode>();

  get children(): readonly TreeNode[] {
    return this.roots;
  }

  get(id: string): TreeNode | undefined {
    return this.byId.get(id);
  }

  get size(): number {
    return this.byId.size;
  }

  update(rows: readonly Row[]): 'all' | TreeNode[] {
    const changed: TreeNode[] = [];
    const next = new Map<string, TreeNode>();
    const oldRootIds = this.roots.map((n) => n.id);
    const flipped = new Set<TreeNode>();
    const roots = this.merge(undefined, undefined, rows, changed, false, next, flipped);
    this.byId = next;
    const rootsChanged = oldRootIds.length !== roots.length || roots.some((n, i) => n.id !== oldRootIds[i]);
    this.roots = roots;
    if (rootsChanged) return 'all';
    if (!flipped.size) return changed;
    // An element that gains its first child or loses its last one changes its collapsible state:
    // VS Code redraws that reliably from the parent, so the parent fires instead (the roots' parent
    // is the whole view).
    const out = new Set<TreeNode>();
    for (const n of changed) {
      if (!flipped.has(n)) out.add(n);
      else if (!n.parent) return 'all';
      else out.add(n.parent);
    }
    const covered = (n: TreeNode) => {
      for (let p = n.parent; p; p = p.parent) if (out.has(p)) return true;
      return false;
    };
    return [...out].filter((n) => !covered(n));
  }

  private merge(
    parent: TreeNode | undefined,
    parentId: string | undefined,
    rows: readonly Row[],
    changed: TreeNode[],
    ancestorFired: boolean,
    next: Map<string, TreeNode>,
    flipped: Set<TreeNode>,
  ): TreeNode[] {
    const out: TreeNode[] = [];
    for (const row of rows) {
      const id = childId(parentId, row.id);
      if (next.has(id)) continue; // a duplicate sibling would make VS Code throw; the first wins
      const old = this.byId.get(id);
      const sig = signature(row);
      let node: TreeNode;
      let fire = false;
      if (old) {
        node = old;
        const kids = row.children ?? [];
        const oldKids = old.children;
        fire = old.sig !== sig || kids.length !== oldKids.length || kids.some((k, i) => oldKids[i].id.length !== id.length + 1 + k.id.length || !oldKids[i].id.endsWith(k.id));
        if (fire && !ancestorFired && (kids.length > 0) !== (oldKids.length > 0)) flipped.add(old);
        node.row = row;
        node.ref = row.ref;
        node.parent = parent;
        node.sig = sig;
      } else {
        node = { id, row, ref: row.ref, children: [], parent, sig };
      }
      next.set(id, node);
      if (fire && !ancestorFired) changed.push(node);
      node.children = this.merge(node, id, row.children ?? [], changed, ancestorFired || fire || !old, next, flipped);
      out.push(node);
    }
    return out;
  }
}
