"""Learning rates of PyTorch's OneCycleLR (cycle_momentum=False) for the Models tests.

    /root/torchenv/bin/python Tools/make_schedule_reference.py   (torch 2.15)
prints, for 3 epochs × 7 batches, max_lr 0.1, pct_start 0.3, div 25, final_div 1e4, the
rate used by each of the 21 steps (the numbers are pasted into LearningRateScheduleTests).
"""
import torch

p = torch.nn.Parameter(torch.zeros(1))
opt = torch.optim.SGD([p], lr=0.1)
s = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=21, pct_start=0.3, div_factor=25,
                                        final_div_factor=1e4, cycle_momentum=False)
rates = []
for _ in range(21):
    rates.append(opt.param_groups[0]["lr"])
    opt.step()
    s.step()
print(", ".join(repr(r) for r in rates))
