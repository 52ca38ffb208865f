// Command provisioner is the test node's dynamic PersistentVolume provisioner:
// for every Pending PVC of its StorageClass it makes a directory under a base
// path (mode 0777, so pods running as any uid can write) and a hostPath PV
// pre-bound to the claim; a Released PV of its own is deleted with its data.
// It polls once a second: a single node with a handful of claims needs no more.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	v1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

const provisionedBy = "pv.kubernetes.io/provisioned-by"

func main() {
	kubeconfig := flag.String("kubeconfig", "", "kubeconfig file")
	className := flag.String("storage-class", "sluice-local", "StorageClass whose claims are provisioned")
	provisioner := flag.String("provisioner", "sluice.dev/local", "provisioner name (the StorageClass's provisioner)")
	base := flag.String("base", "", "directory under which volumes are created")
	node := flag.String("node", "", "node name the volumes are pinned to")
	flag.Parse()
	if *base == "" || *node == "" {
		log.Fatal("--base and --node are required")
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", *kubeconfig)
	if err != nil {
		log.Fatal(err)
	}
	client := kubernetes.NewForConfigOrDie(cfg)
	p := &prov{client: client, class: *className, name: *provisioner, base: *base, node: *node}
	for {
		if err := p.sync(context.Background()); err != nil {
			log.Printf("sync: %v", err)
		}
		time.Sleep(time.Second)
	}
}

type prov struct {
	client                  kubernetes.Interface
	class, name, base, node string
}

func (p *prov) sync(ctx context.Context) error {
	pvcs, err := p.client.CoreV1().PersistentVolumeClaims("").List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	for i := range pvcs.Items {
		pvc := &pvcs.Items[i]
		if pvc.Status.Phase != v1.ClaimPending || pvc.Spec.VolumeName != "" || pvc.DeletionTimestamp != nil {
			continue
		}
		if pvc.Spec.StorageClassName == nil || *pvc.Spec.StorageClassName != p.class {
			continue
		}
		if err := p.provision(ctx, pvc); err != nil {
			log.Printf("provision %s/%s: %v", pvc.Namespace, pvc.Name, err)
		}
	}
	pvs, err := p.client.CoreV1().PersistentVolumes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	for i := range pvs.Items {
		pv := &pvs.Items[i]
		if pv.Annotations[provisionedBy] != p.name || pv.Status.Phase != v1.VolumeReleased ||
			pv.Spec.PersistentVolumeReclaimPolicy != v1.PersistentVolumeReclaimDelete || pv.Spec.HostPath == nil {
			continue
		}
		dir := pv.Spec.HostPath.Path
		if filepath.Dir(dir) != filepath.Clean(p.base) {
			continue // never delete anything outside our base directory
		}
		if err := os.RemoveAll(dir); err != nil {
			log.Printf("delete %s: %v", dir, err)
			continue
		}
		err := p.client.CoreV1().PersistentVolumes().Delete(ctx, pv.Name, metav1.DeleteOptions{})
		if err != nil && !apierrors.IsNotFound(err) {
			log.Printf("delete PV %s: %v", pv.Name, err)
			continue
		}
		log.Printf("deleted %s and %s", pv.Name, dir)
	}
	return nil
}

func (p *prov) provision(ctx context.Context, pvc *v1.PersistentVolumeClaim) error {
	name := "pvc-" + string(pvc.UID)
	dir := filepath.Join(p.base, fmt.Sprintf("%s_%s_%s", pvc.Namespace, pvc.Name, pvc.UID))
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return err
	}
	if err := os.Chmod(dir, 0o777); err != nil { // MkdirAll's mode is filtered by the umask
		return err
	}
	size := pvc.Spec.Resources.Requests[v1.ResourceStorage]
	modes := pvc.Spec.AccessModes
	if len(modes) == 0 {
		modes = []v1.PersistentVolumeAccessMode{v1.ReadWriteOnce}
	}
	hostPathType := v1.HostPathDirectory
	pv := &v1.PersistentVolume{
		ObjectMeta: metav1.ObjectMeta{Name: name, Annotations: map[string]string{provisionedBy: p.name}},
		Spec: v1.PersistentVolumeSpec{
			Capacity:                      v1.ResourceList{v1.ResourceStorage: size},
			AccessModes:                   modes,
			PersistentVolumeReclaimPolicy: v1.PersistentVolumeReclaimDelete,
			StorageClassName:              p.class,
			VolumeMode:                    pvc.Spec.VolumeMode,
			ClaimRef: &v1.ObjectReference{
				Kind: "PersistentVolumeClaim", APIVersion: "v1",
				Namespace: pvc.Namespace, Name: pvc.Name, UID: pvc.UID,
			},
			PersistentVolumeSource: v1.PersistentVolumeSource{
				HostPath: &v1.HostPathVolumeSource{Path: dir, Type: &hostPathType},
			},
			NodeAffinity: &v1.VolumeNodeAffinity{Required: &v1.NodeSelector{NodeSelectorTerms: []v1.NodeSelectorTerm{{
				MatchExpressions: []v1.NodeSelectorRequirement{{
					Key: "kubernetes.io/hostname", Operator: v1.NodeSelectorOpIn, Values: []string{p.node},
				}},
			}}}},
		},
	}
	_, err := p.client.CoreV1().PersistentVolumes().Create(ctx, pv, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		return nil
	}
	if err == nil {
		log.Printf("provisioned %s for %s/%s at %s", name, pvc.Namespace, pvc.Name, dir)
	}
	return err
}
