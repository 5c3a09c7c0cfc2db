//! Loops among types: the strongly connected components of a directed
//! graph, which the model uses to find types that would hold themselves
//! without reading any input, and the plan to decide what to box.

/// Each node's component, for the graph of `nodes` nodes (`0..nodes`) and
/// `edges`; two nodes share a component exactly when each reaches the
/// other. Tarjan's algorithm, iterative (chains of types thousands long
/// would overflow a recursive one), linear in nodes and edges; components
/// are numbered in the order they complete, so the result depends only on
/// the input.
pub fn components(nodes: usize, edges: &[(usize, usize)]) -> Vec<usize> {
    const UNSEEN: usize = usize::MAX;
    // Successors of each node, in edge order (a compressed adjacency list).
    let mut start = vec![0usize; nodes + 1];
    for &(from, _) in edges {
        start[from + 1] += 1;
    }
    for i in 0..nodes {
        start[i + 1] += start[i];
    }
    let mut successors = vec![0usize; edges.len()];
    let mut filled = start.clone();
    for &(from, to) in edges {
        successors[filled[from]] = to;
        filled[from] += 1;
    }
    let mut index = vec![UNSEEN; nodes];
    let mut low = vec![0usize; nodes];
    let mut on_stack = vec![false; nodes];
    let mut component = vec![UNSEEN; nodes];
    let mut stack = Vec::new();
    let mut next_index = 0;
    let mut next_component = 0;
    for root in 0..nodes {
        if index[root] != UNSEEN {
            continue;
        }
        // (node, how many of its successors have been looked at)
        let mut work = vec![(root, 0usize)];
        while let Some((node, done)) = work.pop() {
            if done == 0 && index[node] == UNSEEN {
                index[node] = next_index;
                low[node] = next_index;
                next_index += 1;
                stack.push(node);
                on_stack[node] = true;
            }
            if start[node] + done < start[node + 1] {
                let next = successors[start[node] + done];
                work.push((node, done + 1));
                if index[next] == UNSEEN {
                    work.push((next, 0));
                } else if on_stack[next] {
                    low[node] = low[node].min(index[next]);
                }
                continue;
            }
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[node]);
            }
            if low[node] == index[node] {
                while let Some(member) = stack.pop() {
                    on_stack[member] = false;
                    component[member] = next_component;
                    if member == node {
                        break;
                    }
                }
                next_component += 1;
            }
        }
    }
    component
}

/// The edges of `edges` that lie on a loop: both ends in one component
/// (an edge from a node to itself included).
pub fn on_loops(nodes: usize, edges: &[(usize, usize)]) -> Vec<bool> {
    let component = components(nodes, edges);
    edges
        .iter()
        .map(|&(from, to)| component[from] == component[to])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loops_are_found_and_bridges_are_not() {
        // 0 -> 1 -> 2 -> 0 is a loop; 2 -> 3 leaves it; 3 -> 3 loops alone;
        // 4 -> 5 is a chain.
        let edges = [(0, 1), (1, 2), (2, 0), (2, 3), (3, 3), (4, 5)];
        assert_eq!(on_loops(6, &edges), [true, true, true, false, true, false]);
        let c = components(6, &edges);
        assert_eq!((c[0], c[1]), (c[2], c[2]));
        assert_ne!(c[3], c[0]);
        assert_ne!(c[4], c[5]);
    }

    #[test]
    fn long_chains_do_not_overflow_the_stack() {
        let n = 200_000;
        let mut edges: Vec<(usize, usize)> = (0..n - 1).map(|i| (i, i + 1)).collect();
        edges.push((n - 1, 0));
        assert!(on_loops(n, &edges).iter().all(|&l| l));
    }
}
