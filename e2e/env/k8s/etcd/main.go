// Command etcd is the etcd server, built from the same etcd module version
// that k8s.io/kubernetes v1.35.4 depends on.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
