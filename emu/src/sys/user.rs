//! The calling process' memory, for ioctl arguments: the kernel's copy_from_user /
//! copy_to_user. A NULL pointer is EFAULT; other bad pointers cannot be detected in user
//! space and fault as they would in the application itself.

use crate::ioctl::UserMem;

pub struct Process;

impl UserMem for Process {
    fn read(&self, addr: u64, out: &mut [u8]) -> Result<(), i32> {
        if addr == 0 {
            return Err(libc::EFAULT);
        }
        // SAFETY: the application passed this pointer for this ioctl argument; its size is
        // the one the ioctl number encodes (or the count it gave for an array).
        unsafe { std::ptr::copy_nonoverlapping(addr as usize as *const u8, out.as_mut_ptr(), out.len()) };
        Ok(())
    }

    fn write(&self, addr: u64, data: &[u8]) -> Result<(), i32> {
        if addr == 0 {
            return Err(libc::EFAULT);
        }
        // SAFETY: as above, for the application's output argument.
        unsafe { std::ptr::copy_nonoverlapping(data.as_ptr(), addr as usize as *mut u8, data.len()) };
        Ok(())
    }
}
