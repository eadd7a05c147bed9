import Graph from 'graphology';
const g = new Graph({ multi: true });
g.addNode('a');
g.addEdge('a', 'a');
console.log(JSON.stringify(g.export()), Graph.from(g.export()).size);
